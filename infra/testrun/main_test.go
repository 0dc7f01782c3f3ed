package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// events is go test -json's output for a run with a passing package, a package without tests,
// a failed test beside a passing one, and skips: two for moto, one for the emulator, one by -short.
const events = `{"Action":"start","Package":"example.com/a"}
{"Action":"run","Package":"example.com/a","Test":"TestOK"}
{"Action":"output","Package":"example.com/a","Test":"TestOK","Output":"=== RUN   TestOK\n"}
{"Action":"output","Package":"example.com/a","Test":"TestOK","Output":"--- PASS: TestOK (0.00s)\n"}
{"Action":"pass","Package":"example.com/a","Test":"TestOK"}
{"Action":"run","Package":"example.com/a","Test":"TestMoto"}
{"Action":"output","Package":"example.com/a","Test":"TestMoto","Output":"=== RUN   TestMoto\n"}
{"Action":"output","Package":"example.com/a","Test":"TestMoto","Output":"    awstest.go:63: skipping: moto is not installed: No module named 'moto' (pip install -r infra/moto/requirements.txt)\n"}
{"Action":"output","Package":"example.com/a","Test":"TestMoto","Output":"--- SKIP: TestMoto (0.00s)\n"}
{"Action":"skip","Package":"example.com/a","Test":"TestMoto"}
{"Action":"output","Package":"example.com/a","Output":"PASS\n"}
{"Action":"output","Package":"example.com/a","Output":"ok  \texample.com/a\t(cached)\n"}
{"Action":"pass","Package":"example.com/a"}
{"Action":"start","Package":"example.com/none"}
{"Action":"output","Package":"example.com/none","Output":"?   \texample.com/none\t[no test files]\n"}
{"Action":"skip","Package":"example.com/none"}
{"Action":"start","Package":"example.com/b"}
{"Action":"run","Package":"example.com/b","Test":"TestBad"}
{"Action":"output","Package":"example.com/b","Test":"TestBad","Output":"=== RUN   TestBad\n"}
{"Action":"output","Package":"example.com/b","Test":"TestBad","Output":"    b_test.go:9: got 1, want 2\n"}
{"Action":"output","Package":"example.com/b","Test":"TestBad","Output":"--- FAIL: TestBad (0.00s)\n"}
{"Action":"fail","Package":"example.com/b","Test":"TestBad"}
{"Action":"run","Package":"example.com/b","Test":"TestGood"}
{"Action":"output","Package":"example.com/b","Test":"TestGood","Output":"    b_test.go:12: a log line of a test that passes\n"}
{"Action":"pass","Package":"example.com/b","Test":"TestGood"}
{"Action":"run","Package":"example.com/b","Test":"TestMoto2"}
{"Action":"output","Package":"example.com/b","Test":"TestMoto2","Output":"    awstest.go:63: skipping: moto is not installed\n"}
{"Action":"skip","Package":"example.com/b","Test":"TestMoto2"}
{"Action":"run","Package":"example.com/b","Test":"TestRIE"}
{"Action":"output","Package":"example.com/b","Test":"TestRIE","Output":"    e2e_test.go:127: skipping: aws-lambda-rie is not installed: not in /usr/bin:/root/go/bin (go install ...)\n"}
{"Action":"skip","Package":"example.com/b","Test":"TestRIE"}
{"Action":"run","Package":"example.com/b","Test":"TestSlow"}
{"Action":"output","Package":"example.com/b","Test":"TestSlow","Output":"    tools_test.go:131: sam validate takes seconds\n"}
{"Action":"skip","Package":"example.com/b","Test":"TestSlow"}
{"Action":"output","Package":"example.com/b","Output":"FAIL\n"}
{"Action":"output","Package":"example.com/b","Output":"FAIL\texample.com/b\t0.02s\n"}
{"Action":"fail","Package":"example.com/b"}
`

func TestReport(t *testing.T) {
	var out, errs bytes.Buffer
	r := newReport(&out, &errs, false)
	if err := r.read(strings.NewReader(events)); err != nil {
		t.Fatal(err)
	}
	want := "ok  \texample.com/a\t(cached)\n" +
		"?   \texample.com/none\t[no test files]\n" +
		"    b_test.go:9: got 1, want 2\n--- FAIL: TestBad (0.00s)\n" +
		"FAIL\texample.com/b\t0.02s\n"
	if out.String() != want {
		t.Errorf("printed\n%s\nwant\n%s", out.String(), want)
	}
	wantSummary := "testrun: 1 package ok, 1 FAILED (example.com/b); 2 tests passed, 4 skipped: " +
		"2 need moto (python3 -m pip install -r infra/moto/requirements.txt), " +
		"1 needs aws-lambda-rie (go install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@$(cat infra/rie/version)), " +
		"1 for another reason (sam validate takes seconds)" +
		" (1 of these skips replayed from go test's cache: after installing, go test -count=1 ./... runs them again)"
	if got := r.summary(); got != wantSummary {
		t.Errorf("summary\n%s\nwant\n%s", got, wantSummary)
	}

	// With -v every line is printed as it comes.
	out.Reset()
	r = newReport(&out, &errs, true)
	if err := r.read(strings.NewReader(events)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "=== RUN   TestOK\n--- PASS: TestOK (0.00s)\n") || !strings.Contains(out.String(), "a log line of a test that passes") {
		t.Errorf("-v printed\n%s", out.String())
	}
}

// TestProgress checks the line naming what still runs after a quiet while.
func TestProgress(t *testing.T) {
	var out, errs bytes.Buffer // errs is read once progress has returned
	r := newReport(&out, &errs, false)
	if err := r.read(strings.NewReader(`{"Action":"start","Package":"example.com/slow"}
{"Action":"run","Package":"example.com/slow","Test":"TestLong"}
{"Action":"run","Package":"example.com/slow","Test":"TestLong/sub"}
`)); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() { r.progress(60*time.Millisecond, done); close(stopped) }()
	time.Sleep(200 * time.Millisecond)
	close(done)
	<-stopped
	if !strings.Contains(errs.String(), "still running: example.com/slow TestLong (") {
		t.Errorf("progress printed %q", errs.String())
	}
}

func TestHasPackages(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want bool
	}{
		{nil, false},
		{[]string{"-v"}, false},
		{[]string{"-run", "TestX"}, false},
		{[]string{"-run", "TestX", "./pkg/..."}, true},
		{[]string{"-count=1", "./..."}, true},
		{[]string{"./pkg/api", "-run", "X"}, true},
	} {
		if got := hasPackages(tc.args); got != tc.want {
			t.Errorf("hasPackages(%q) = %v, want %v", tc.args, got, tc.want)
		}
	}
}
