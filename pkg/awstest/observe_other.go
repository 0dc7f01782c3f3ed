//go:build !linux

package awstest

// observe does nothing here: without a thread of its own working folder (Linux's unshare), a
// change of folder would move every test of the process. After installing moto, go test needs
// -count=1 once on such systems.
func observe(dirs []string) {}
