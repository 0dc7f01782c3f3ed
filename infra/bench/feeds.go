package main

// The feed builder's reads (bench -only feeds): what one stream batch of one record reads of
// DynamoDB at growing numbers of stored activities, counted on the wire by the end-to-end test
// that runs the feed builder under the Lambda emulator against moto (pkg/e2e,
// TestFeedBuilderReadsAreBounded), asked here for larger sizes.

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"time"
)

// feedLine is the line the end-to-end test logs for each size.
var feedLine = regexp.MustCompile(`a batch of one activity record at (\d+) stored activities: DynamoDB calls (.*) \((\d+)\), items read (.*) \((\d+)\)`)

// benchFeeds runs the test at the sizes and tabulates what it logged.
func benchFeeds(ctx context.Context, root string, sizes []int) (string, error) {
	var list []string
	for _, n := range sizes {
		list = append(list, fmt.Sprint(n))
	}
	progress("feeds: a batch of one record at %s stored activities (pkg/e2e under the emulator)", strings.Join(list, ", "))
	cmd := exec.CommandContext(ctx, "go", "test", "-count=1", "-run", "TestFeedBuilderReadsAreBounded/reads", "-v", "./pkg/e2e")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "OPEN311_FEED_READS_AT="+strings.Join(list, ","), "CI=true")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go test ./pkg/e2e: %w\n%s", err, out.Bytes())
	}
	var b strings.Builder
	fmt.Fprintf(&b, "### The feed builder's reads (%s)\n\n", time.Now().UTC().Format("2006-01-02"))
	b.WriteString("One stream batch of one activity record, the feed builder under aws-lambda-rie against moto, counted on the wire.\n\n")
	b.WriteString("| stored activities | DynamoDB calls | items read |\n|---:|---|---|\n")
	found := 0
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		if m := feedLine.FindStringSubmatch(sc.Text()); m != nil {
			fmt.Fprintf(&b, "| %s | %s (%s) | %s (%s) |\n", m[1], m[3], m[2], m[5], m[4])
			found++
		}
	}
	if found != len(sizes) {
		return "", fmt.Errorf("the test logged %d of %d sizes:\n%s", found, len(sizes), out.Bytes())
	}
	return b.String(), nil
}
