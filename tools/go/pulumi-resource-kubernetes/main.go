// Command pulumi-resource-kubernetes serves the upstream pulumi-kubernetes
// provider. It is the same ten lines as upstream's
// provider/cmd/pulumi-resource-kubernetes/main.go; this copy exists because
// upstream embeds generated, git-ignored files (schema-embed.json,
// terraform-mapping-embed.json) that are not in the module zip. scripts/tools.sh
// copies schema.json and terraform-mapping.json out of the pinned module and
// sets the schema's version before building this package.
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema-embed.json
var pulumiSchema []byte

//go:embed terraform-mapping-embed.json
var terraformMapping []byte

func main() {
	provider.Serve("kubernetes", version.Version, pulumiSchema, terraformMapping)
}
