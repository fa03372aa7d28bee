/**
 * {@code trainerctl}, the command line of trainerd, built on the client SDK with picocli. Entry
 * point {@link dev.trainerd.cli.Trainerctl}.
 */
package dev.trainerd.cli;
