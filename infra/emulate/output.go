package main

import (
	"bytes"
	"io"
	"sync"
)

// prefixed returns a writer that writes each line to w prefixed with "[name] ", so that the
// output of many functions on one stream can be told apart. Writers it returns for one w share
// a lock, so lines are never interleaved.
func prefixed(w io.Writer, name string) io.Writer {
	return &prefixWriter{w: w, prefix: []byte("[" + name + "] ")}
}

var outputMu sync.Mutex

type prefixWriter struct {
	w       io.Writer
	prefix  []byte
	partial []byte // the start of a line not ended yet
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	outputMu.Lock()
	defer outputMu.Unlock()
	n := len(b)
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			p.partial = append(p.partial, b...)
			break
		}
		line := append(append(append([]byte{}, p.prefix...), p.partial...), b[:i+1]...)
		p.partial = p.partial[:0]
		if _, err := p.w.Write(line); err != nil {
			return 0, err
		}
		b = b[i+1:]
	}
	return n, nil
}
