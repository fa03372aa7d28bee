package dev.trainerd.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.LintResult;
import org.junit.jupiter.api.Test;

class ChartLintTest {
  @Test
  void strictLintPasses() {
    LintResult result = RenderedChart.helm().lint().strict().call();

    assertThat(result.isFailed()).as("helm lint --strict: %s", result.getMessages()).isFalse();
    assertThat(result.getMessages())
        .as("strict lint turns warnings into failures; none may be left")
        .noneMatch(message -> message.contains("[WARNING]") || message.contains("[ERROR]"));
  }
}
