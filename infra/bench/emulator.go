package main

// Starting a function under the emulator and timing it, and the moto server it reads.

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/civicworks/open311/pkg/api"
	"github.com/civicworks/open311/pkg/api/apitest"
	"github.com/civicworks/open311/pkg/e2e"
	"github.com/civicworks/open311/pkg/store/dynamo"
)

// measure starts one emulator, times its first invoke from the process start, invokes it warm
// more times (returning their times and the function's mean CPU time per warm invoke), and
// stops it.
//
// The meter m counts the AWS calls of the first invoke and the time spent waiting on them
// (coldCalls, coldWait): moto answers in milliseconds what DynamoDB answers in a few, so the
// cold start less that wait is what the function's own code costs.
func measure(ctx context.Context, rie, bootstrap string, env []string, payload []byte, name string, warm int, logPath string, m *meter) (cold time.Duration, coldCalls int, coldWait time.Duration, warms []time.Duration, cpu time.Duration, err error) {
	cold, warms, cpu, err = measureRun(ctx, rie, bootstrap, env, payload, name, warm, logPath, func() { m.reset() }, func() { coldCalls, coldWait = m.read() })
	return cold, coldCalls, coldWait, warms, cpu, err
}

func measureRun(ctx context.Context, rie, bootstrap string, env []string, payload []byte, name string, warm int, logPath string, started, invoked func()) (cold time.Duration, warms []time.Duration, cpu time.Duration, err error) {
	log, err := os.Create(logPath)
	if err != nil {
		return 0, nil, 0, err
	}
	defer log.Close()
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	started()
	start := time.Now()
	em, err := e2e.Start(rie, bootstrap, env, log)
	if err != nil {
		return 0, nil, 0, err
	}
	defer em.Stop()
	if err := invoke(ctx, em, payload, name); err != nil {
		return 0, nil, 0, fmt.Errorf("%w\n%s", err, tailOf(logPath))
	}
	cold = time.Since(start)
	invoked()
	if warm == 0 {
		return cold, warms, 0, nil
	}
	cpu0, err := em.FunctionCPU()
	if err != nil {
		return 0, nil, 0, err
	}
	for range warm {
		t := time.Now()
		if err := invoke(ctx, em, payload, name); err != nil {
			return 0, nil, 0, fmt.Errorf("%w\n%s", err, tailOf(logPath))
		}
		warms = append(warms, time.Since(t))
	}
	cpu1, err := em.FunctionCPU()
	if err != nil {
		return 0, nil, 0, err
	}
	return cold, warms, (cpu1 - cpu0) / time.Duration(warm), nil
}

// invoke sends the event and checks that the answer is a success (404 or 405 for the fallback).
func invoke(ctx context.Context, em *e2e.Emulator, payload []byte, name string) error {
	out, err := em.Invoke(ctx, payload)
	if err != nil {
		return err
	}
	status, _, body, err := e2e.Response(out)
	if err != nil {
		return err
	}
	ok := status >= 200 && status < 300
	if name == api.OpFallback {
		ok = status == http.StatusNotFound || status == http.StatusMethodNotAllowed
	}
	if !ok {
		return fmt.Errorf("answered %d: %.300s", status, body)
	}
	return nil
}

func tailOf(path string) string {
	b, _ := os.ReadFile(path)
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

// seed creates a table and fills it with the golden test world.
func seed(ctx context.Context, endpoint string) (string, error) {
	client := dynamodb.NewFromConfig(aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
	}, func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(endpoint) })
	table := fmt.Sprintf("open311-bench-%d", time.Now().UnixNano())
	if err := dynamo.CreateTable(ctx, client, table); err != nil {
		return "", fmt.Errorf("create table: %w", err)
	}
	if err := apitest.Seed(ctx, dynamo.New(client, table)); err != nil {
		return "", fmt.Errorf("seed: %w", err)
	}
	return table, nil
}

// startMoto starts moto (infra/moto/serve.py) on a free loopback port and returns its endpoint
// and a function that stops it by its process group.
func startMoto(root, tmp string) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	log, err := os.Create(filepath.Join(tmp, "moto.log"))
	if err != nil {
		return "", nil, err
	}
	cmd := exec.Command("python3", filepath.Join(root, "infra", "moto", "serve.py"), "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		log.Close()
		return "", nil, fmt.Errorf("start moto: %w (pip install -r infra/moto/requirements.txt)", err)
	}
	stop := func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		_ = cmd.Wait()
		log.Close()
	}
	url := "http://127.0.0.1:" + strconv.Itoa(port)
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if resp, err := http.Get(url + "/moto-api/"); err == nil {
			resp.Body.Close()
			return url, stop, nil
		}
	}
	stop()
	return "", nil, errors.New("moto did not answer within 60s: " + tailOf(log.Name()) + " (pip install -r infra/moto/requirements.txt)")
}
