/**
 * Persistence on the local disk: atomic file helpers shared by every store, and the
 * content-addressed {@link dev.trainerd.store.DatasetStore}. A record becomes visible only by an
 * atomic rename after its bytes are on disk, so a crash never exposes a half-written resource.
 */
package dev.trainerd.store;
