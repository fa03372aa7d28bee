/**
 * Domain errors shared by every layer below the API. Each subtype corresponds to one canonical
 * status; the API layer maps them to gRPC in a single place, so the lower layers never see gRPC.
 */
package dev.trainerd.errors;
