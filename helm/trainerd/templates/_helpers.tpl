{{/* Chart name, overridable. */}}
{{- define "trainerd.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Release-qualified name used for every resource. */}}
{{- define "trainerd.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "trainerd.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "trainerd.selectorLabels" -}}
app.kubernetes.io/name: {{ include "trainerd.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "trainerd.labels" -}}
helm.sh/chart: {{ include "trainerd.chart" . }}
{{ include "trainerd.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: server
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "trainerd.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "trainerd.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The CPU image, or the GPU image when gpu.enabled. */}}
{{- define "trainerd.image" -}}
{{- if .Values.gpu.enabled }}
{{- printf "%s:%s" .Values.gpu.image.repository (default .Chart.AppVersion .Values.gpu.image.tag) }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{- define "trainerd.claimName" -}}
{{- default (printf "%s-data" (include "trainerd.fullname" .)) .Values.persistence.existingClaim }}
{{- end }}

{{/* A native gRPC probe against the health service; $probe holds the timings. */}}
{{- define "trainerd.grpcProbe" -}}
{{- $root := index . 0 -}}
{{- $probe := index . 1 -}}
grpc:
  port: {{ if $root.Values.tls.enabled }}{{ $root.Values.server.healthPort }}{{ else }}{{ $root.Values.server.grpcPort }}{{ end }}
  {{- with $root.Values.probes.service }}
  service: {{ . | quote }}
  {{- end }}
periodSeconds: {{ $probe.periodSeconds }}
timeoutSeconds: {{ $probe.timeoutSeconds }}
failureThreshold: {{ $probe.failureThreshold }}
{{- end }}
