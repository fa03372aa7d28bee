/**
 * Tests of the Helm chart in {@code helm/trainerd}: Helm's strict lint, rendering with default and
 * full values, every manifest checked against the Kubernetes model, and the chart's promises
 * (probe ports, GPU placement, security context, values schema, Grafana dashboard).
 */
package dev.trainerd.helm;
