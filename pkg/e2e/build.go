package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// LambdaTags are the build tags of every Lambda build (the Makefile's GO_LAMBDA_FLAGS):
// provided.al2023 talks to the runtime API, so aws-lambda-go's RPC mode is left out.
const LambdaTags = "lambda.norpc"

// Build compiles the main packages pkgs (paths relative to the module root, "./functions/get-request")
// for linux/goarch as the Makefile builds a Lambda function (static, -trimpath, stripped), with
// the build tags tags, and returns the path of each binary: out/<last element>/bootstrap, named
// as provided.al2023 wants it. It runs one go build for all of them, so they link in parallel.
func Build(ctx context.Context, root, out, goarch string, tags []string, pkgs ...string) (map[string]string, error) {
	bin := filepath.Join(out, ".bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		return nil, err
	}
	args := []string{"build", "-tags", strings.Join(tags, ","), "-trimpath", "-ldflags", "-s -w", "-o", bin + string(filepath.Separator)}
	cmd := exec.CommandContext(ctx, "go", append(args, pkgs...)...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+goarch)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build %s for linux/%s: %w\n%s", strings.Join(pkgs, " "), goarch, err, msg)
	}
	paths := map[string]string{}
	for _, pkg := range pkgs {
		name := filepath.Base(pkg)
		dir := filepath.Join(out, name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		path := filepath.Join(dir, "bootstrap")
		if err := os.Rename(filepath.Join(bin, name), path); err != nil {
			return nil, fmt.Errorf("build %s: %w", pkg, err)
		}
		paths[pkg] = path
	}
	return paths, os.Remove(bin)
}
