package dev.trainerd.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class SubmissionWriterTest {

  private final SubmissionWriter writer = new SubmissionWriter();

  @Test
  void writesIdAndLabelHeadersAndPlainNumbers() throws IOException {
    StringWriter out = new StringWriter();
    writer.writeValues(
        out, "Id", "SalePrice", List.of("1461", "1462", "1463"), new float[] {119234.5f, 1.5e7f, 0f});
    assertThat(out).hasToString("Id,SalePrice\n1461,119234.5\n1462,15000000\n1463,0\n");
  }

  @Test
  void writesClassNamesQuotedWhenNeededAndNumbersRowsWithoutIds() throws IOException {
    StringWriter out = new StringWriter();
    writer.writeClasses(out, "", "", List.of(), new int[] {1, 0}, List.of("a,b", "c"));
    assertThat(out).hasToString("Id,prediction\n1,c\n2,\"a,b\"\n");
  }
}
