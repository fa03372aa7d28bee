/**
 * The composition root: configuration, wiring of every layer, the gRPC server's lifecycle and
 * graceful shutdown. The only place that knows every concrete class.
 */
package dev.trainerd.server;
