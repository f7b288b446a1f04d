// tekton-operator-check: admits TektonConfig documents through the tektoncd/operator admission webhooks of the
// operator module version it is built from, without a cluster.
//
//	tekton-operator-check [--version] [FILE|- ...]
//
// Each input (files, or stdin when none or "-") is YAML or JSON, several documents allowed. Documents whose kind is
// not TektonConfig are ignored. For each TektonConfig it runs, in the order kube-apiserver calls them on a CREATE:
//
//  1. the operator's mutating webhook, built by the operator's own webhook.NewDefaultingAdmissionController
//     (tektoncd/operator:pkg/webhook/webhook.go@<version>): knative's defaulting reconciler decodes the object
//     with disallowUnknownFields=true (knative.dev/pkg:webhook/json/decode.go), runs SetDefaults inside
//     apis.WithinCreate and answers a JSON patch (knative.dev/pkg:webhook/resourcesemantics/defaulting/defaulting.go);
//  2. the patch applied, as kube-apiserver applies a mutating webhook's patch;
//  3. the operator's validating webhook, webhook.NewValidationAdmissionController: strict decoding again, then
//     Validate inside apis.WithinCreate (knative.dev/pkg:webhook/resourcesemantics/validation/validation_admit.go).
//
// The webhooks run with the environment the OpenShift build of the operator webhook runs with: PLATFORM=openshift
// (tektoncd/operator:config/openshift/base/webhook.yaml@<version>) and webhook.SetTypes("openshift")
// (tektoncd/operator:cmd/openshift/webhook/main.go@<version>). Their Kubernetes client is knative's fake client,
// an empty cluster: a Validate that reads the cluster (e.g. a non-default SCC) sees nothing there.
//
// Output: one line per TektonConfig, "<source>: TektonConfig/<name>: OK" or
// "<source>: TektonConfig/<name>: DENIED: admission webhook "<webhook>" denied the request: <operator's message>",
// the wording kube-apiserver uses for a webhook denial (k8s.io/apiserver:pkg/admission/plugin/webhook/errors).
// Exit status: 0 when every TektonConfig is admitted, 1 when one is denied, 2 on unreadable input or none found.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"github.com/tektoncd/operator/pkg/apis/operator/v1alpha1"
	operatorwebhook "github.com/tektoncd/operator/pkg/webhook"
	"go.uber.org/zap"
	jsonpatch "gopkg.in/evanphx/json-patch.v4"
	admissionv1 "k8s.io/api/admission/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/rest"
	"knative.dev/pkg/controller"
	"knative.dev/pkg/injection"
	"knative.dev/pkg/logging"
	kwebhook "knative.dev/pkg/webhook"
	"sigs.k8s.io/yaml"

	// The fakes registered with injection.Fake: the clients and informers the two admission controllers read.
	_ "knative.dev/pkg/client/injection/kube/client/fake"
	_ "knative.dev/pkg/client/injection/kube/informers/admissionregistration/v1/mutatingwebhookconfiguration/fake"
	_ "knative.dev/pkg/client/injection/kube/informers/admissionregistration/v1/validatingwebhookconfiguration/fake"
	_ "knative.dev/pkg/injection/clients/namespacedkube/informers/core/v1/secret/fake"
)

const operatorModule = "github.com/tektoncd/operator"

// The webhook names, from tektoncd/operator:pkg/webhook/webhook.go (the names the admission controllers register).
const (
	defaultingWebhook = "webhook.operator.tekton.dev"
	validationWebhook = "validation.webhook.operator.tekton.dev"
)

func moduleVersion(path string) string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == path {
				if d.Replace != nil {
					return d.Replace.Version
				}
				return d.Version
			}
		}
	}
	return "unknown"
}

type doc struct {
	source string
	raw    []byte // JSON
}

// readDocs splits one input into its documents, each converted to JSON.
func readDocs(name string, r io.Reader) ([]doc, error) {
	var out []doc
	reader := utilyaml.NewYAMLReader(bufio.NewReader(r))
	for i := 1; ; i++ {
		b, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		j, err := yaml.YAMLToJSON(b)
		if err != nil {
			return nil, fmt.Errorf("%s: document %d: %w", name, i, err)
		}
		if bytes.Equal(bytes.TrimSpace(j), []byte("null")) {
			continue // a document of comments only
		}
		out = append(out, doc{source: fmt.Sprintf("%s#%d", name, i), raw: j})
	}
}

// quiet is a context whose logger discards: the webhooks log every request at info level.
func quiet() context.Context { return logging.WithLogger(context.Background(), zap.NewNop().Sugar()) }

type admitter interface {
	Admit(context.Context, *admissionv1.AdmissionRequest) *admissionv1.AdmissionResponse
}

func admissionControllers() (defaulting, validation admitter) {
	// Values the operator's webhook Deployment sets (config/openshift/base/webhook.yaml) and knative requires.
	os.Setenv("PLATFORM", "openshift")
	if os.Getenv("SYSTEM_NAMESPACE") == "" {
		os.Setenv("SYSTEM_NAMESPACE", "openshift-operators")
	}
	ctx := quiet()
	ctx = kwebhook.WithOptions(ctx, kwebhook.Options{
		ServiceName: "tekton-operator-webhook",
		Port:        8443,
		SecretName:  "tekton-operator-webhook-certs",
	})
	ctx, _ = injection.Fake.SetupInformers(ctx, &rest.Config{})
	operatorwebhook.SetTypes("openshift")
	d := operatorwebhook.NewDefaultingAdmissionController(ctx, nil)
	v := operatorwebhook.NewValidationAdmissionController(ctx, nil)
	return asAdmitter(d), asAdmitter(v)
}

func asAdmitter(impl *controller.Impl) admitter {
	a, ok := impl.Reconciler.(admitter)
	if !ok {
		panic(fmt.Sprintf("%T is not an admission controller", impl.Reconciler))
	}
	return a
}

func request(name string, raw []byte) *admissionv1.AdmissionRequest {
	gvk := v1alpha1.SchemeGroupVersion.WithKind(v1alpha1.KindTektonConfig)
	return &admissionv1.AdmissionRequest{
		UID:       types.UID("tekton-operator-check"),
		Kind:      metav1.GroupVersionKind{Group: gvk.Group, Version: gvk.Version, Kind: gvk.Kind},
		Resource:  metav1.GroupVersionResource{Group: gvk.Group, Version: gvk.Version, Resource: "tektonconfigs"},
		Name:      name,
		Operation: admissionv1.Create,
		UserInfo:  authenticationv1.UserInfo{Username: "tekton-operator-check"},
		Object:    runtime.RawExtension{Raw: raw},
	}
}

func denied(webhook string, resp *admissionv1.AdmissionResponse) string {
	msg := ""
	if resp.Result != nil {
		msg = resp.Result.Message
	}
	return fmt.Sprintf("admission webhook %q denied the request: %s", webhook, msg)
}

// check admits one TektonConfig: "" when both webhooks allow it, else the denial.
func check(ctx context.Context, defaulting, validation admitter, name string, raw []byte) (string, []string) {
	var warnings []string
	resp := defaulting.Admit(ctx, request(name, raw))
	warnings = append(warnings, resp.Warnings...)
	if !resp.Allowed {
		return denied(defaultingWebhook, resp), warnings
	}
	mutated := raw
	if len(resp.Patch) > 0 {
		patch, err := jsonpatch.DecodePatch(resp.Patch)
		if err == nil {
			mutated, err = patch.Apply(raw)
		}
		if err != nil {
			return fmt.Sprintf("the patch of webhook %q does not apply: %v", defaultingWebhook, err), warnings
		}
	}
	resp = validation.Admit(ctx, request(name, mutated))
	warnings = append(warnings, resp.Warnings...)
	if !resp.Allowed {
		return denied(validationWebhook, resp), warnings
	}
	return "", warnings
}

func main() {
	args := os.Args[1:]
	for _, a := range args {
		switch a {
		case "--version", "-version":
			fmt.Printf("tekton-operator-check %s %s (knative.dev/pkg %s)\n", operatorModule, moduleVersion(operatorModule), moduleVersion("knative.dev/pkg"))
			return
		case "-h", "--help":
			fmt.Println("usage: tekton-operator-check [--version] [FILE|- ...]  (YAML or JSON, multi-document; stdin when no FILE)")
			return
		}
	}
	if len(args) == 0 {
		args = []string{"-"}
	}
	var docs []doc
	for _, a := range args {
		var r io.Reader = os.Stdin
		name := "<stdin>"
		if a != "-" {
			f, err := os.Open(a)
			if err != nil {
				fmt.Fprintf(os.Stderr, "error: %v\n", err)
				os.Exit(2)
			}
			defer f.Close()
			r, name = f, a
		}
		ds, err := readDocs(name, r)
		if err != nil {
			fmt.Fprintf(os.Stderr, "error: %v\n", err)
			os.Exit(2)
		}
		docs = append(docs, ds...)
	}

	defaulting, validation := admissionControllers()
	ctx := quiet()
	seen, failed := 0, 0
	for _, d := range docs {
		var head struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
			Metadata   struct {
				Name string `json:"name"`
			} `json:"metadata"`
		}
		if err := json.Unmarshal(d.raw, &head); err != nil || head.Kind != v1alpha1.KindTektonConfig {
			continue
		}
		seen++
		label := fmt.Sprintf("%s: TektonConfig/%s", d.source, head.Metadata.Name)
		if head.APIVersion != v1alpha1.SchemeGroupVersion.String() {
			fmt.Printf("%s: DENIED: apiVersion %q is not %q, the only version the operator's webhooks handle\n", label, head.APIVersion, v1alpha1.SchemeGroupVersion.String())
			failed++
			continue
		}
		msg, warnings := check(ctx, defaulting, validation, head.Metadata.Name, d.raw)
		for _, w := range warnings {
			fmt.Printf("%s: WARNING: %s\n", label, w)
		}
		if msg != "" {
			fmt.Printf("%s: DENIED: %s\n", label, msg)
			failed++
		} else {
			fmt.Printf("%s: OK (%s %s)\n", label, operatorModule, moduleVersion(operatorModule))
		}
	}
	if seen == 0 {
		fmt.Fprintln(os.Stderr, "error: no TektonConfig document in the input")
		os.Exit(2)
	}
	if failed > 0 {
		os.Exit(1)
	}
}
