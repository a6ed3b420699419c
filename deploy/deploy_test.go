// Package deploy holds the container and cluster files; its tests check
// them, so a broken manifest fails CI rather than a rollout.
package deploy

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// secretName is an environment variable that holds a secret.
var secretName = regexp.MustCompile(`(?i)(KEY|SECRET|PASSWORD|TOKEN)`)

func TestCompose(t *testing.T) {
	raw, err := os.ReadFile("docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Services map[string]struct {
			Image       string            `yaml:"image"`
			Environment map[string]string `yaml:"environment"`
			Healthcheck struct {
				Test []string `yaml:"test"`
			} `yaml:"healthcheck"`
			Ports []string `yaml:"ports"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(raw, &f); err != nil {
		t.Fatalf("compose does not parse: %v", err)
	}
	for _, want := range []string{"mongo", "meili", "portal-1", "portal-2", "proxy"} {
		if _, ok := f.Services[want]; !ok {
			t.Errorf("no %s service", want)
		}
	}
	for name, s := range f.Services {
		if len(s.Healthcheck.Test) == 0 {
			t.Errorf("%s has no health check", name)
		}
		for k, v := range s.Environment {
			if secretName.MatchString(k) && !strings.HasSuffix(k, "_FILE") && !strings.HasPrefix(v, "${") {
				t.Errorf("%s: %s is written in the file, not taken from .env", name, k)
			}
		}
		if len(s.Ports) > 0 && name != "proxy" {
			t.Errorf("%s publishes ports; only the proxy should", name)
		}
	}
	if !strings.Contains(f.Services["mongo"].Healthcheck.Test[len(f.Services["mongo"].Healthcheck.Test)-1], "rs.initiate") {
		t.Error("MongoDB is not made a replica set")
	}
	if !strings.Contains(f.Services["portal-1"].Environment["MONGODB_URI"], "replicaSet=") {
		t.Error("the portal does not connect to the replica set")
	}
	// MongoDB asks for credentials, its members share a key file, and the
	// portal signs in as its own user; Meilisearch is a release that
	// segments Chinese with jieba, and the portal holds a scoped key, not
	// the master key.
	mongo, portal := f.Services["mongo"], f.Services["portal-1"]
	if !strings.HasPrefix(mongo.Environment["MONGO_INITDB_ROOT_PASSWORD"], "${") || !strings.Contains(string(raw), "--keyFile") ||
		!strings.HasPrefix(portal.Environment["MONGODB_URI"], "mongodb://portal:${") {
		t.Error("MongoDB runs without authentication, or the portal signs in as root")
	}
	if _, ok := portal.Environment["MEILI_API_KEY"]; ok || portal.Environment["MEILI_API_KEY_FILE"] == "" {
		t.Error("the portal is handed Meilisearch's master key")
	}
	if v := regexp.MustCompile(`getmeili/meilisearch:v1\.(\d+)`).FindStringSubmatch(f.Services["meili"].Image); v == nil || atoi(v[1]) < 15 {
		t.Errorf("Meilisearch %s: want 1.15 or later", f.Services["meili"].Image)
	}
	env, err := os.ReadFile(".env.example")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(env), "\n") {
		k, v, ok := strings.Cut(line, "=")
		if ok && !strings.HasPrefix(k, "#") && secretName.MatchString(k) && v != "" {
			t.Errorf(".env.example holds a value for %s", k)
		}
	}
}

func TestKubernetes(t *testing.T) {
	files, _ := filepath.Glob("k8s/*.yaml")
	kinds := map[string]map[string]any{}
	for _, p := range files {
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := yaml.Unmarshal(raw, &doc); err != nil {
			t.Fatalf("%s does not parse: %v", p, err)
		}
		if k, _ := doc["kind"].(string); k != "" {
			kinds[k] = doc
		}
	}
	for _, k := range []string{"Deployment", "Service", "Ingress", "ConfigMap", "Secret", "HorizontalPodAutoscaler", "PodDisruptionBudget"} {
		if kinds[k] == nil {
			t.Errorf("no %s", k)
		}
	}
	get := func(doc any, path ...any) any {
		for _, p := range path {
			switch k := p.(type) {
			case string:
				m, _ := doc.(map[string]any)
				doc = m[k]
			case int:
				l, _ := doc.([]any)
				if k >= len(l) {
					return nil
				}
				doc = l[k]
			}
		}
		return doc
	}
	d := kinds["Deployment"]
	if r, _ := get(d, "spec", "replicas").(int); r < 2 {
		t.Errorf("%d replicas", r)
	}
	c := get(d, "spec", "template", "spec", "containers", 0)
	for probe, path := range map[string]string{"readinessProbe": "/readyz", "livenessProbe": "/healthz", "startupProbe": "/healthz"} {
		if got := get(c, probe, "httpGet", "path"); got != path {
			t.Errorf("%s on %v", probe, got)
		}
		// Kubernetes' default is 1 s: say what the portal is given.
		if s, _ := get(c, probe, "timeoutSeconds").(int); s < 2 {
			t.Errorf("%s: timeoutSeconds %v", probe, get(c, probe, "timeoutSeconds"))
		}
	}
	// The drain delay (5 s) and the grace (15 s) fit in the pod's.
	if g, _ := get(d, "spec", "template", "spec", "terminationGracePeriodSeconds").(int); g < 5+15+5 {
		t.Errorf("terminationGracePeriodSeconds %d", g)
	}
	for _, r := range []string{"requests", "limits"} {
		if get(c, "resources", r, "memory") == nil || get(c, "resources", r, "cpu") == nil {
			t.Errorf("no resource %s", r)
		}
	}
	if get(d, "spec", "template", "spec", "securityContext", "runAsNonRoot") != true || get(c, "securityContext", "readOnlyRootFilesystem") != true {
		t.Error("the pod may run as root or write its image")
	}
	if m, _ := get(kinds["HorizontalPodAutoscaler"], "spec", "minReplicas").(int); m < 2 {
		t.Errorf("autoscaler down to %d", m)
	}
	for k, v := range get(kinds["Secret"], "stringData").(map[string]any) {
		if v != "" {
			t.Errorf("the secret template holds a value for %s", k)
		}
	}
	if _, ok := get(kinds["Secret"], "stringData", "MONGODB_URI").(string); !ok || get(kinds["ConfigMap"], "data", "MONGODB_URI") != nil {
		t.Error("MONGODB_URI, which holds credentials, is not in the Secret alone")
	}
	// Prometheus can reach the metrics: on every address, a named port, the
	// pod annotated for scraping.
	if addr, _ := get(kinds["ConfigMap"], "data", "PORTAL_METRICS_ADDR").(string); !strings.HasPrefix(addr, "0.0.0.0:") ||
		get(c, "ports", 1, "name") != "metrics" || get(d, "spec", "template", "metadata", "annotations", "prometheus.io/scrape") != "true" {
		t.Error("the metrics cannot be scraped")
	}
	if get(d, "spec", "template", "spec", "topologySpreadConstraints", 0, "topologyKey") == nil {
		t.Error("the replicas are not spread")
	}
	// The jobs run a portal command with the pod's settings and hardening.
	jobs, _ := filepath.Glob("k8s/jobs/*.yaml")
	if len(jobs) != 3 {
		t.Errorf("jobs %v, want reindex, rebuild-figures, rotate-data-key", jobs)
	}
	for _, p := range jobs {
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var job map[string]any
		if err := yaml.Unmarshal(raw, &job); err != nil {
			t.Fatalf("%s does not parse: %v", p, err)
		}
		spec := get(job, "spec", "template", "spec")
		name := strings.TrimSuffix(filepath.Base(p), ".yaml")
		if job["kind"] != "Job" || get(spec, "containers", 0, "args", 0) != name || get(spec, "restartPolicy") != "Never" ||
			get(spec, "securityContext", "runAsNonRoot") != true || get(spec, "containers", 0, "envFrom", 1, "secretRef", "name") != "onestop-portal" ||
			get(spec, "topologySpreadConstraints", 0, "topologyKey") == nil {
			t.Errorf("%s: not a hardened, spread job running portal %s with the portal's settings", p, name)
		}
	}
}

func TestDockerfile(t *testing.T) {
	raw, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	s := string(raw)
	if strings.Count(s, "\nFROM ")+strings.Count(s[:5], "FROM ") < 2 || !strings.Contains(s, "CGO_ENABLED=0") || !strings.Contains(s, "USER nonroot") || !strings.Contains(s, "HEALTHCHECK") {
		t.Error("the image is not a multi-stage static build running as non-root with a health check")
	}
	// A base still updated; /data there and the non-root user's; the
	// version stamped.
	for _, want := range []string{"distroless/static-debian13:nonroot", "--chown=65532:65532 /out/data /data", "-X onestop/portal.version="} {
		if !strings.Contains(s, want) {
			t.Errorf("the Dockerfile lacks %q", want)
		}
	}
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
