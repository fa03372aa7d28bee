package dev.trainerd.store;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.time.Instant;

/**
 * The JSON form of stored records: Gson over the records' fields, {@link Instant} as ISO-8601
 * text. Records stay readable by people and tools ({@code jq}); unknown fields are ignored on
 * read, so adding a field keeps old files readable.
 */
public final class JsonCodec {

  private final Gson gson =
      new GsonBuilder()
          .registerTypeAdapter(Instant.class, new InstantAdapter().nullSafe())
          .disableHtmlEscaping()
          .setPrettyPrinting()
          .create();

  /** The JSON text of a value. */
  public String write(Object value) {
    return gson.toJson(value);
  }

  /**
   * Reads a value.
   *
   * @throws JsonParseException when the text is not a valid record of that type
   */
  public <T> T read(String json, Class<T> type) {
    try {
      T value = gson.fromJson(json, type);
      if (value == null) {
        throw new JsonParseException("empty document");
      }
      return value;
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new JsonParseException(e.getMessage(), e);
    }
  }

  private static final class InstantAdapter extends TypeAdapter<Instant> {
    @Override
    public void write(JsonWriter out, Instant value) throws IOException {
      out.value(value.toString());
    }

    @Override
    public Instant read(JsonReader in) throws IOException {
      return Instant.parse(in.nextString());
    }
  }
}
