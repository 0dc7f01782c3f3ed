package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/civicworks/open311/pkg/e2e"
)

// installMoto is the README's command that installs moto.
const installMoto = "python3 -m pip install -r infra/moto/requirements.txt"

// findMoto returns the python3 that has moto's server installed.
func findMoto() (string, error) {
	python, err := e2e.LookPath("python3", e2e.PathDirs())
	if err != nil {
		return "", &MissingError{What: "python3 (with moto)", Install: "install Python 3, then " + installMoto}
	}
	if err := exec.Command(python, "-c", "import moto.moto_server.werkzeug_app").Run(); err != nil {
		// Where pip would install it, so that a test that skipped runs again once it is there.
		out, _ := exec.Command(python, "-c", "import site, sysconfig; print(sysconfig.get_paths()['purelib']); print(site.getusersitepackages())").Output()
		e2e.Observe(strings.Split(strings.TrimSpace(string(out)), "\n"))
		return "", &MissingError{What: "moto", Install: installMoto}
	}
	return python, nil
}

// moto is a moto server this process started.
type moto struct {
	endpoint string
	cmd      *exec.Cmd
	exited   chan error // receives the process's end
}

// stop ends the server's process group (moto and anything it started), by its id: SIGTERM,
// then SIGKILL if it has not exited within five seconds.
func (m *moto) stop() {
	pid := m.cmd.Process.Pid
	_ = syscall.Kill(-pid, syscall.SIGTERM)
	select {
	case <-m.exited:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-pid, syscall.SIGKILL)
		<-m.exited
	}
}

// startMoto starts infra/moto/serve.py (moto in server mode, one request at a time) on a free
// loopback port, in a process group of its own, and waits until it answers.
func startMoto(ctx context.Context, python, root, tmp string) (*moto, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	logPath := filepath.Join(tmp, "moto.log")
	log, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer log.Close()
	cmd := exec.Command(python, filepath.Join(root, "infra", "moto", "serve.py"), "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start moto: %w", err)
	}
	m := &moto{endpoint: "http://127.0.0.1:" + strconv.Itoa(port), cmd: cmd, exited: make(chan error, 1)}
	go func() { m.exited <- cmd.Wait() }()
	client := &http.Client{Timeout: time.Second}
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); {
		select {
		case err := <-m.exited:
			b, _ := os.ReadFile(logPath)
			return nil, fmt.Errorf("moto exited during its start (%v): %s", err, lastLine(b))
		case <-ctx.Done():
			m.stop()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if resp, err := client.Get(m.endpoint + "/moto-api/"); err == nil {
			resp.Body.Close()
			return m, nil
		}
	}
	m.stop()
	return nil, errors.New("moto did not answer on " + m.endpoint + " within 60s")
}

func lastLine(b []byte) string {
	b = bytes.TrimSpace(b)
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		b = b[i+1:]
	}
	return string(b)
}
