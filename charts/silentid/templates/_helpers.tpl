{{/* Name of the release's objects, capped at 63 characters as DNS labels require. */}}
{{- define "silentid.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "silentid.operatorName" -}}
{{- printf "%s-operator" (include "silentid.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "silentid.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/part-of: silentid
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "silentid.operatorSelector" -}}
app.kubernetes.io/name: silentid-operator
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "silentid.operatorImage" -}}
{{- printf "%s:%s" .Values.operator.image.repository (default .Chart.AppVersion .Values.operator.image.tag) -}}
{{- end -}}

{{/* The verifier image: the CUDA variant carries a -gpu tag suffix. */}}
{{- define "silentid.verifierImage" -}}
{{- $svc := .Values.defaultService -}}
{{- $tag := default .Chart.AppVersion $svc.image.tag -}}
{{- if and (gt (int $svc.accelerator.gpus) 0) (not $svc.image.tag) -}}
{{- $tag = printf "%s-gpu" $tag -}}
{{- end -}}
{{- printf "%s:%s" $svc.image.repository $tag -}}
{{- end -}}

{{- define "silentid.keyRingSecret" -}}
{{- default (printf "%s-keyring" (include "silentid.fullname" .)) .Values.keyRing.existingSecret -}}
{{- end -}}
