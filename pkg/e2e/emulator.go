package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Emulator is one function's bootstrap running under the emulator, as one Lambda execution
// environment: its first invoke initialises the function (a cold start), later ones reuse it.
type Emulator struct {
	addr string // the emulator's invoke address, host:port
	cmd  *exec.Cmd
	done chan struct{} // closed when the emulator process has exited
	err  error         // its exit status, once done is closed

	mu     sync.Mutex // held during an invoke: the emulator fails on overlapping invokes
	client *http.Client
}

// Start runs bootstrap under the emulator rie, with only the environment env (the emulator
// hands it on to the function), on two free loopback ports: one for invokes, one for the
// runtime API the function polls. The emulator's and the function's output go to log. Start
// returns once the process is started; Invoke waits until the emulator listens.
func Start(rie, bootstrap string, env []string, log io.Writer) (*Emulator, error) {
	ports, err := freePorts(2)
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(ports[0])
	cmd := exec.Command(rie,
		"--runtime-interface-emulator-address", addr,
		"--runtime-api-address", "127.0.0.1:"+strconv.Itoa(ports[1]),
		bootstrap)
	cmd.Dir = filepath.Dir(bootstrap)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", rie, err)
	}
	e := &Emulator{addr: addr, cmd: cmd, done: make(chan struct{}),
		client: &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}}
	go func() {
		e.err = cmd.Wait()
		close(e.done)
	}()
	return e, nil
}

// handedOut are the ports freePorts gave out in this process, so it never gives one twice.
var handedOut = struct {
	sync.Mutex
	ports map[int]bool
}{ports: map[int]bool{}}

// freePorts returns n loopback ports that were free a moment ago and that this process has not
// handed out before. They are taken below the kernel's ephemeral range, where outgoing
// connections (to moto, between the emulator and its function) take their local ports, so that
// nothing binds them between now and the emulator's listening; a port of :0 would be one of
// those and is taken by a connection now and then.
func freePorts(n int) ([]int, error) {
	handedOut.Lock()
	defer handedOut.Unlock()
	low, high := 20000, ephemeralLow()
	var ports []int
	for tries := 0; len(ports) < n; tries++ {
		if tries > 1000 {
			return nil, fmt.Errorf("no free loopback port in %d-%d", low, high-1)
		}
		addr := "127.0.0.1:0" // the whole range is ephemeral: take what the kernel gives
		if high-low >= 100 {
			addr = "127.0.0.1:" + strconv.Itoa(low+rand.IntN(high-low))
		}
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			continue
		}
		p := ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		if handedOut.ports[p] {
			continue
		}
		handedOut.ports[p] = true
		ports = append(ports, p)
	}
	return ports, nil
}

// ephemeralLow returns the first port of the kernel's ephemeral range (32768 when unknown).
func ephemeralLow() int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err == nil {
		if f := strings.Fields(string(b)); len(f) == 2 {
			if n, err := strconv.Atoi(f[0]); err == nil && n > 1024 {
				return n
			}
		}
	}
	return 32768
}

// Invoke sends one invocation payload to the function and returns its response payload. It
// waits for the emulator to listen (until ctx ends), and holds other invokes of this emulator
// back until it is answered.
func (e *Emulator) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	url := "http://" + e.addr + "/2015-03-31/functions/function/invocations"
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(payload))
		if err != nil {
			return nil, err
		}
		resp, err := e.client.Do(req)
		if err != nil {
			if !errors.Is(err, syscall.ECONNREFUSED) {
				return nil, fmt.Errorf("invoke: %w", err)
			}
			select {
			case <-e.done:
				return nil, fmt.Errorf("invoke: the emulator exited (%v) before it listened", e.err)
			case <-ctx.Done():
				return nil, fmt.Errorf("invoke: the emulator did not listen on %s: %w", e.addr, ctx.Err())
			case <-time.After(2 * time.Millisecond):
			}
			continue
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("invoke: read response: %w", err)
		}
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("invoke: emulator answered %s: %s", resp.Status, body)
		}
		return body, nil
	}
}

// Stop kills the emulator and the function it started (which the emulator puts in a process
// group of its own), by process id, and waits for the emulator to exit.
func (e *Emulator) Stop() {
	pid := e.cmd.Process.Pid
	children := childrenOf(pid)
	_ = syscall.Kill(-pid, syscall.SIGKILL)
	for _, c := range children {
		_ = syscall.Kill(-c, syscall.SIGKILL)
		_ = syscall.Kill(c, syscall.SIGKILL)
	}
	<-e.done
}

// childrenOf returns the ids of the processes whose parent is pid, from /proc.
func childrenOf(pid int) []int {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var kids []int
	for _, s := range stats {
		b, err := os.ReadFile(s)
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...; comm may hold spaces and parentheses.
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(b[i+1:]))
		if len(f) < 2 || f[1] != strconv.Itoa(pid) {
			continue
		}
		if c, err := strconv.Atoi(filepath.Base(filepath.Dir(s))); err == nil {
			kids = append(kids, c)
		}
	}
	return kids
}

// FunctionCPU returns the CPU time the function process (the emulator's child) has used so far,
// the sum of its threads' run time in /proc/<pid>/task/*/schedstat, to the nanosecond.
func (e *Emulator) FunctionCPU() (time.Duration, error) {
	kids := childrenOf(e.cmd.Process.Pid)
	if len(kids) == 0 {
		return 0, errors.New("the emulator has not started the function")
	}
	var total time.Duration
	for _, pid := range kids {
		stats, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/schedstat", pid))
		if len(stats) == 0 {
			return 0, fmt.Errorf("no schedstat for process %d", pid)
		}
		for _, s := range stats {
			b, err := os.ReadFile(s)
			if err != nil {
				continue // a thread that ended
			}
			f := strings.Fields(string(b))
			if len(f) == 0 {
				continue
			}
			ns, err := strconv.ParseInt(f[0], 10, 64)
			if err != nil {
				return 0, fmt.Errorf("%s: %w", s, err)
			}
			total += time.Duration(ns)
		}
	}
	return total, nil
}
