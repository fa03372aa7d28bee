package dev.trainerd.data;

/**
 * What a parser's {@link FileDecoder} made of one file while it was uploaded; only that parser
 * knows the concrete type, and finds it again through {@link NamedFile#earlyDecoded()}.
 */
public interface DecodedFile {}
