package awstest

import (
	"os"
	"runtime"
	"syscall"
)

// observe makes go test's cache depend on the folders dirs (or, for one that does not exist,
// its nearest folder that does): what is installed in them changes their modification time.
//
// The cache rechecks the files a test binary stats or opens only inside the module; the one
// record of the binary it rechecks anywhere is a change of working folder (it hashes the stat of
// the folder). So observe changes into each folder and back, on a thread of its own whose working
// folder is its own (unshare CLONE_FS): the rest of the process, tests running in parallel
// included, never sees it. The thread ends with the call. Nothing is observed if that fails.
func observe(dirs []string) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread() // never unlocked: the thread ends with this goroutine
		wd, err := os.Getwd()
		if err != nil || syscall.Unshare(syscall.CLONE_FS) != nil {
			return
		}
		for _, d := range existingAncestors(dirs) {
			_ = os.Chdir(d)
		}
		_ = os.Chdir(wd) // later relative names in the record are relative to wd again
	}()
	<-done
}
