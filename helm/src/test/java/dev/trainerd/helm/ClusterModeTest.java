package dev.trainerd.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Cluster mode: several replicas on PostgreSQL and an object store, secrets from existing Secrets. */
class ClusterModeTest {

  static Path clusterValues() {
    try {
      return Path.of(ClusterModeTest.class.getResource("/values-cluster.yaml").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static RenderedChart cluster() {
    return RenderedChart.render(List.of(clusterValues()), Map.of());
  }

  @Test
  void clusterModeRunsSeveralReplicasRollingOneAtATime() {
    Deployment deployment = cluster().one(Deployment.class);
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(3);
    assertThat(deployment.getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
    assertThat(deployment.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal()).isEqualTo(1);
  }

  @Test
  void clusterModeKeepsAClientOnOneReplicaUnlessToldOtherwise() {
    // A sweep is driven, and its record kept, by the replica that accepted it.
    assertThat(cluster().one(io.fabric8.kubernetes.api.model.Service.class).getSpec().getSessionAffinity())
        .isEqualTo("ClientIP");
    assertThat(RenderedChart.render(Map.of()).one(io.fabric8.kubernetes.api.model.Service.class).getSpec().getSessionAffinity())
        .isEqualTo("None");
    assertThat(
            RenderedChart.render(List.of(clusterValues()), Map.of("service.sessionAffinity", "None"))
                .one(io.fabric8.kubernetes.api.model.Service.class).getSpec().getSessionAffinity())
        .isEqualTo("None");
  }

  @Test
  void theEmbeddedModeStaysOneReplicaOnAVolume() {
    RenderedChart chart = RenderedChart.render(Map.of());
    Deployment deployment = chart.one(Deployment.class);
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);
    assertThat(deployment.getSpec().getStrategy().getType()).isEqualTo("Recreate");
    assertThat(chart.find(PersistentVolumeClaim.class)).isPresent();
    assertThat(ChartRenderTest.env(ChartRenderTest.container(deployment))).doesNotContainKey("TRAINERD_STORAGE");
    assertThat(chart.asJson()).doesNotContain("TRAINERD_POSTGRES").doesNotContain("TRAINERD_S3");
  }

  @Test
  void settingsBecomeTheServersEnvironment() {
    Container container = ChartRenderTest.container(cluster().one(Deployment.class));
    assertThat(ChartRenderTest.env(container))
        .containsEntry("TRAINERD_STORAGE", "cluster")
        .containsEntry("TRAINERD_JOB_LEASE", "20")
        .containsEntry("TRAINERD_POSTGRES_URL", "jdbc:postgresql://postgres.databases:5432/trainerd")
        .containsEntry("TRAINERD_POSTGRES_USER", "trainer")
        .containsEntry("TRAINERD_POSTGRES_POOL_SIZE", "6")
        .containsEntry("TRAINERD_S3_ENDPOINT", "http://minio.storage:9000")
        .containsEntry("TRAINERD_S3_REGION", "eu-west-1")
        .containsEntry("TRAINERD_S3_BUCKET", "trainerd-blobs")
        .containsEntry("TRAINERD_S3_PREFIX", "prod")
        .containsEntry("TRAINERD_S3_PATH_STYLE", "true");
  }

  @Test
  void secretsComeFromExistingSecretsAndTheReplicaIdFromThePodName() {
    List<EnvVar> env = ChartRenderTest.container(cluster().one(Deployment.class)).getEnv();
    assertThat(secretRef(env, "TRAINERD_POSTGRES_PASSWORD")).isEqualTo("trainerd-postgres/postgres-password");
    assertThat(secretRef(env, "TRAINERD_S3_ACCESS_KEY_ID")).isEqualTo("trainerd-minio/root-user");
    assertThat(secretRef(env, "TRAINERD_S3_SECRET_ACCESS_KEY")).isEqualTo("trainerd-minio/root-password");
    EnvVar replica = env.stream().filter(e -> e.getName().equals("TRAINERD_REPLICA_ID")).findFirst().orElseThrow();
    assertThat(replica.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name");
    // No secret value is ever written into the manifests.
    assertThat(env).filteredOn(e -> e.getName().contains("PASSWORD") || e.getName().contains("KEY"))
        .allSatisfy(e -> assertThat(e.getValue()).isNull());
  }

  @Test
  void replicasKeepNoStateOnAVolume() {
    RenderedChart chart = cluster();
    assertThat(chart.find(PersistentVolumeClaim.class)).isEmpty();
    Optional<Volume> data =
        chart.one(Deployment.class).getSpec().getTemplate().getSpec().getVolumes().stream()
            .filter(v -> v.getName().equals("data"))
            .findFirst();
    assertThat(data).hasValueSatisfying(v -> assertThat(v.getEmptyDir()).isNotNull());
  }

  @Test
  void clusterModeWithoutItsSettingsIsRefusedWithTheMissingKey() {
    assertThatThrownBy(() -> RenderedChart.render(Map.of("cluster.enabled", true)))
        .hasMessageContaining("cluster.postgres.url");
    assertThatThrownBy(
            () -> RenderedChart.render(Map.of("cluster.enabled", true, "cluster.postgres.url", "jdbc:postgresql://db/t")))
        .hasMessageContaining("cluster.postgres.passwordSecret.name");
    assertThatThrownBy(
            () ->
                RenderedChart.render(
                    Map.of(
                        "cluster.enabled", true,
                        "cluster.postgres.url", "jdbc:postgresql://db/t",
                        "cluster.postgres.passwordSecret.name", "pg")))
        .hasMessageContaining("cluster.objectStore.credentialsSecret.name");
  }

  @Test
  void aMalformedBucketOrUrlIsRejectedByTheSchema() {
    assertThatThrownBy(() -> RenderedChart.render(List.of(clusterValues()), Map.of("cluster.objectStore.bucket", "Bad_Bucket")))
        .hasMessageContaining("bucket");
    assertThatThrownBy(() -> RenderedChart.render(List.of(clusterValues()), Map.of("cluster.postgres.url", "postgres://db")))
        .hasMessageContaining("url");
  }

  private static String secretRef(List<EnvVar> env, String name) {
    EnvVar var = env.stream().filter(e -> e.getName().equals(name)).findFirst().orElseThrow();
    assertThat(var.getValue()).isNull();
    return var.getValueFrom().getSecretKeyRef().getName() + "/" + var.getValueFrom().getSecretKeyRef().getKey();
  }
}
