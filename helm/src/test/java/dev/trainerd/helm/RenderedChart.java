package dev.trainerd.helm;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The chart rendered by Helm (through helm-java, no Helm binary) and every manifest parsed into
 * its fabric8 model class. Parsing is strict: a kind the chart is not expected to produce, or a
 * field the model does not know (fabric8 keeps those in {@code additionalProperties} instead of
 * failing, so every object of the tree is checked), is an error naming the manifest and the
 * field path.
 */
final class RenderedChart {
  static final String RELEASE = "demo";
  static final String NAMESPACE = "training";

  private static final Map<String, Class<? extends HasMetadata>> MODEL_BY_KIND =
      Map.of(
          "v1/ServiceAccount", ServiceAccount.class,
          "v1/ConfigMap", ConfigMap.class,
          "v1/PersistentVolumeClaim", PersistentVolumeClaim.class,
          "v1/Service", Service.class,
          "apps/v1/Deployment", Deployment.class,
          "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class,
          "networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class,
          "monitoring.coreos.com/v1/ServiceMonitor", ServiceMonitor.class);

  private static final ObjectMapper YAML =
      YAMLMapper.builder().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true).build();
  private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---\\s*$");

  private final List<HasMetadata> resources;

  private RenderedChart(List<HasMetadata> resources) {
    this.resources = List.copyOf(resources);
  }

  /** The chart directory, from surefire's {@code trainerd.chart} (falls back to ./trainerd). */
  static Path chartDirectory() {
    return Path.of(System.getProperty("trainerd.chart", "trainerd"));
  }

  static Helm helm() {
    return new Helm(chartDirectory());
  }

  /** Renders with the chart's defaults plus {@code values} files and {@code --set} pairs. */
  static RenderedChart render(List<Path> valuesFiles, Map<String, Object> sets) {
    TemplateCommand template = helm().template().withName(RELEASE).withNamespace(NAMESPACE);
    valuesFiles.forEach(template::withValuesFile);
    sets.forEach(template::set);
    return parse(template.call());
  }

  static RenderedChart render(Map<String, Object> sets) {
    return render(List.of(), sets);
  }

  static RenderedChart parse(String manifests) {
    List<HasMetadata> parsed = new ArrayList<>();
    for (String document : DOCUMENT_SEPARATOR.split(manifests)) {
      if (document.lines().allMatch(line -> line.isBlank() || line.strip().startsWith("#"))) {
        continue;
      }
      parsed.add(parseStrictly(document));
    }
    return new RenderedChart(parsed);
  }

  static HasMetadata parseStrictly(String document) {
    Map<?, ?> tree;
    try {
      tree = YAML.readValue(document, Map.class);
    } catch (IOException e) {
      throw new UncheckedIOException("not YAML:\n" + document, e);
    }
    String key = tree.get("apiVersion") + "/" + tree.get("kind");
    Class<? extends HasMetadata> model = MODEL_BY_KIND.get(key);
    if (model == null) {
      throw new IllegalStateException("unexpected manifest kind " + key + ":\n" + document);
    }
    HasMetadata resource;
    try {
      resource = YAML.readValue(document, model);
    } catch (IOException e) {
      throw new UncheckedIOException(key + " does not parse into " + model.getName(), e);
    }
    List<String> unknown = new ArrayList<>();
    collectUnknownFields(resource, key + " " + resource.getMetadata().getName(), unknown);
    if (!unknown.isEmpty()) {
      throw new IllegalStateException("fields the Kubernetes model does not know: " + unknown);
    }
    return resource;
  }

  /** Walks the model tree; every {@code additionalProperties} entry is a field fabric8 did not map. */
  private static void collectUnknownFields(Object node, String path, List<String> unknown) {
    if (node == null) {
      return;
    }
    if (node instanceof Collection<?> items) {
      int i = 0;
      for (Object item : items) {
        collectUnknownFields(item, path + "[" + i++ + "]", unknown);
      }
      return;
    }
    if (node instanceof Map<?, ?> map) {
      map.forEach((k, v) -> collectUnknownFields(v, path + "." + k, unknown));
      return;
    }
    if (!node.getClass().getPackageName().startsWith("io.fabric8.")) {
      return;
    }
    for (Method getter : node.getClass().getMethods()) {
      if (getter.getParameterCount() != 0
          || Modifier.isStatic(getter.getModifiers())
          || getter.getDeclaringClass() == Object.class
          || !getter.getName().startsWith("get")) {
        continue;
      }
      Object value;
      try {
        value = getter.invoke(node);
      } catch (IllegalAccessException | InvocationTargetException e) {
        continue;
      }
      String field = decapitalize(getter.getName().substring(3));
      if (getter.getName().equals("getAdditionalProperties") && value instanceof Map<?, ?> extra) {
        extra.keySet().forEach(name -> unknown.add(path + "." + name));
      } else {
        collectUnknownFields(value, path + "." + field, unknown);
      }
    }
  }

  private static String decapitalize(String name) {
    return name.isEmpty() ? name : Character.toLowerCase(name.charAt(0)) + name.substring(1);
  }

  List<HasMetadata> resources() {
    return resources;
  }

  List<String> kinds() {
    return resources.stream().map(HasMetadata::getKind).sorted().toList();
  }

  <T extends HasMetadata> List<T> all(Class<T> type) {
    return resources.stream().filter(type::isInstance).map(type::cast).toList();
  }

  <T extends HasMetadata> Optional<T> find(Class<T> type) {
    List<T> found = all(type);
    if (found.size() > 1) {
      throw new IllegalStateException("more than one " + type.getSimpleName());
    }
    return found.stream().findFirst();
  }

  <T extends HasMetadata> T one(Class<T> type) {
    return find(type).orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " rendered"));
  }

  /** Every manifest as JSON text, for "appears nowhere else" checks. */
  String asJson() {
    try {
      return JsonMapper.builder().build().writeValueAsString(resources);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
