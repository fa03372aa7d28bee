/** Benchmark programs that print JSON; speed is measured here, never asserted in tests. */
package dev.trainerd.bench;
