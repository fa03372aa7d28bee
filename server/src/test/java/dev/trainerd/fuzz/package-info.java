/**
 * Property-based tests: generated inputs for every parser and for request validation, asserting
 * that only documented errors come back and nothing crashes.
 */
package dev.trainerd.fuzz;
