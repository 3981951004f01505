{{/*
Names, labels and the checks every template relies on.
*/}}

{{/* The chart's name, at most 63 characters (a label value). */}}
{{- define "workbench.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release's full name: the prefix of every object the chart names itself. */}}
{{- define "workbench.fullname" -}}
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

{{- define "workbench.selectorLabels" -}}
app.kubernetes.io/name: {{ include "workbench.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "workbench.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "workbench.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "workbench.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "workbench.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "workbench.tokenSecretName" -}}
{{- default (printf "%s-token" (include "workbench.fullname" .)) .Values.token.existingSecret }}
{{- end }}

{{- define "workbench.tokenSecretKey" -}}
{{- if .Values.token.existingSecret }}{{ .Values.token.existingSecretKey }}{{ else }}token{{ end }}
{{- end }}

{{/* config.base_url with one leading and one trailing slash, as the server normalises it. */}}
{{- define "workbench.baseUrl" -}}
{{- $url := default "/" .Values.config.base_url }}
{{- printf "/%s/" (trimSuffix "/" (trimPrefix "/" $url)) | replace "//" "/" }}
{{- end }}

{{/*
Values the chart cannot run with, refused before anything is created.
Renders nothing; every object template includes it.
*/}}
{{- define "workbench.validate" -}}
{{- if hasKey .Values.config "token" }}
{{- fail "config.token would be stored in a ConfigMap: set token.value or token.existingSecret instead" }}
{{- end }}
{{- if and .Values.config.auth .Values.config.auth.oidc (hasKey .Values.config.auth.oidc "client_secret") }}
{{- fail "config.auth.oidc.client_secret would be stored in a ConfigMap: set secretEnv.oidcClientSecret.existingSecret instead" }}
{{- end }}
{{- if and .Values.config.database (hasKey .Values.config.database "url") }}
{{- fail "config.database.url (it holds the database password) would be stored in a ConfigMap: set secretEnv.databaseUrl.existingSecret instead" }}
{{- end }}
{{- if and (hasKey .Values.config "port") (not .Values.config.port) }}
{{- fail "config.port must be a fixed port (0 picks a random one, which no Service can reach)" }}
{{- end }}
{{- $_ := required "config.root_dir is required: the workspace volume is mounted there" .Values.config.root_dir }}
{{- $k8s := default dict .Values.config.kubernetes }}
{{- if and $k8s.workspace_pvc (not $k8s.namespace_per_user) (ne (default .Release.Namespace $k8s.namespace) .Release.Namespace) }}
{{- fail (printf "config.kubernetes.namespace is %q but the release is in %q: kernel pods can only mount the workspace PVC %q in its own namespace; install the release into %q or set config.kubernetes.workspace_pvc to \"\"" $k8s.namespace .Release.Namespace $k8s.workspace_pvc $k8s.namespace) }}
{{- end }}
{{- if and .Values.ingress.enabled .Values.ingress.tls.enabled (not .Values.ingress.tls.secretName) }}
{{- fail "ingress.tls.secretName is required when ingress.tls.enabled is true" }}
{{- end }}
{{- end }}

{{/* What the Kubernetes launcher does with kernel pods and their connection secrets. */}}
{{- define "workbench.kernelRules" -}}
- apiGroups: [""]
  resources: ["pods", "pods/log", "secrets"]
  verbs: ["get", "list", "watch", "create", "delete", "patch"]
{{- end }}
