/**
 * gRPC adapters: validate and map requests to the plain-Java services below, map results and
 * errors back. The only package that sees io.grpc or the generated trainerd.v1 types.
 */
package dev.trainerd.api;
