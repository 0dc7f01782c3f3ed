package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The table of the functions' sizes and cold starts, and the figures it is made of.

// quantile returns the q-quantile of ds by the nearest-rank method.
func quantile(ds []time.Duration, q float64) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(float64(len(s))*q+0.999999) - 1
	return s[max(0, min(i, len(s)-1))]
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 1, 64)
}

// report renders the results as a markdown table, the baseline first; a binary over the size
// goal is marked, and named on stderr.
func report(results []result, n, warm int) string {
	var b bytes.Buffer
	uname, _ := exec.Command("uname", "-m").Output()
	gover, _ := exec.Command("go", "env", "GOVERSION").Output()
	rie, _ := os.ReadFile(filepath.Join("infra", "rie", "version"))
	fmt.Fprintf(&b, "Measured %s on %s, %d CPUs, %s; aws-lambda-rie %s; moto %s. Cold start: %d runs per function; warm: %d invokes.\n\n",
		time.Now().UTC().Format("2006-01-02 15:04 MST"), strings.TrimSpace(string(uname)), runtime.NumCPU(),
		strings.TrimSpace(string(gover)), orUnknown(strings.TrimSpace(string(rie))), motoVersion(), n, warm)
	fmt.Fprintln(&b, "| function | arm64 binary (MiB) | cold start median (ms) | cold start p90 (ms) | cold start / hello (median) | cold start / hellodb (median) | AWS calls of the first invoke | cold start less their wait, median (ms) | that / hellodb's | warm median (ms) | warm CPU (ms) |")
	fmt.Fprintln(&b, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	base, basedb := quantile(results[0].cold, 0.5), quantile(results[1].cold, 0.5)
	owndb := quantile(results[1].own(), 0.5)
	var over []string
	for _, r := range results {
		size := strconv.FormatFloat(float64(r.size)/(1<<20), 'f', 2, 64)
		if r.size > SizeGoal {
			size += " (over 10)"
			over = append(over, r.name)
		}
		if len(r.cold) == 0 {
			fmt.Fprintf(&b, "| %s | %s | not behind the HTTP API | | | | | | | | |\n", r.name, size)
			continue
		}
		med, own := quantile(r.cold, 0.5), quantile(r.own(), 0.5)
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %.2f | %.2f | %s | %s | %.2f | %s | %.2f |\n", r.name, size, ms(med), ms(quantile(r.cold, 0.9)),
			float64(med)/float64(base), float64(med)/float64(basedb), callsOf(r.coldCalls), ms(own), float64(own)/float64(owndb),
			ms(quantile(r.warm, 0.5)), float64(r.cpu.Microseconds())/1000)
	}
	if len(over) > 0 {
		progress("WARNING: over the %d MiB goal: %s", SizeGoal>>20, strings.Join(over, ", "))
	}
	return b.String()
}

// callsOf is the calls of the cold starts: one number when they all made as many, else the range.
func callsOf(calls []int) string {
	lo, hi := slices.Min(calls), slices.Max(calls)
	if lo == hi {
		return strconv.Itoa(lo)
	}
	return strconv.Itoa(lo) + "–" + strconv.Itoa(hi)
}

func orUnknown(s string) string {
	if s == "" {
		return "(unknown)"
	}
	return s
}

// motoVersion asks the Python that runs moto for its version.
func motoVersion() string {
	out, err := exec.Command("python3", "-c", "import moto; print(moto.__version__)").Output()
	if err != nil {
		return "(unknown)"
	}
	return strings.TrimSpace(string(out))
}
