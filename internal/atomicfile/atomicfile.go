// Package atomicfile writes files so that readers see the old content or
// the new one, never a half-written file, and nothing is left behind when
// writing fails or the process is interrupted.
package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
)

// ErrReadOnly is returned for a file without write permission: it is not
// replaced unless Options.Force is set.
var ErrReadOnly = errors.New("the file is read-only (use --force to replace it)")

// Options change how WriteFile treats an existing file.
type Options struct {
	// Force replaces a read-only file.
	Force bool
}

// WriteFile writes data to path through a temporary file in the same
// directory and a rename. A symbolic link is followed: its target is
// replaced, and the link stays. An existing file keeps its permissions and,
// where the system permits, its owner and group; a new one gets perm. A
// read-only file is refused (ErrReadOnly) unless opts.Force.
func WriteFile(path string, data []byte, perm fs.FileMode, opts ...Options) (err error) {
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	path, err = resolve(path)
	if err != nil {
		return err
	}
	st, statErr := os.Stat(path)
	if statErr == nil {
		if !st.Mode().IsRegular() {
			return &fs.PathError{Op: "write", Path: path, Err: errors.New("not a regular file")}
		}
		if st.Mode().Perm()&0o200 == 0 && !o.Force {
			return &fs.PathError{Op: "write", Path: path, Err: ErrReadOnly}
		}
		perm = st.Mode().Perm()
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := createTemp(dir, "."+base+".tmp*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			removeTemp(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if statErr == nil {
		keepOwner(tmp, st)
	}
	if err = tmp.Chmod(perm); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if testHookBeforeRename != nil {
		testHookBeforeRename()
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	forget(tmp.Name())
	return nil
}

var testHookBeforeRename func()

// resolve follows symbolic links to the file they name (which need not
// exist yet), so that writing replaces the target and keeps the link.
func resolve(path string) (string, error) {
	for range 40 {
		fi, err := os.Lstat(path)
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			return path, nil
		}
		link, err := os.Readlink(path)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(link) {
			link = filepath.Join(filepath.Dir(path), link)
		}
		path = link
	}
	return "", &fs.PathError{Op: "write", Path: path, Err: errors.New("too many levels of symbolic links")}
}

// Temporary files being written are removed if the process is interrupted
// (SIGINT, SIGTERM, SIGHUP) before they are renamed into place.
var temps struct {
	sync.Mutex
	names map[string]bool
	once  sync.Once
}

func createTemp(dir, pattern string) (*os.File, error) {
	temps.once.Do(func() {
		temps.names = map[string]bool{}
		c := make(chan os.Signal, 1)
		signal.Notify(c, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
		go func() {
			sig := <-c
			temps.Lock()
			for name := range temps.names {
				os.Remove(name)
			}
			// Keep the lock: no new temporary file from now on.
			signal.Reset(sig)
			if p, err := os.FindProcess(os.Getpid()); err == nil {
				p.Signal(sig) // die of the signal, as without the handler
			}
			os.Exit(130)
		}()
	})
	temps.Lock()
	defer temps.Unlock()
	f, err := os.CreateTemp(dir, pattern)
	if err == nil {
		temps.names[f.Name()] = true
	}
	return f, err
}

func removeTemp(name string) {
	os.Remove(name)
	forget(name)
}

func forget(name string) {
	temps.Lock()
	delete(temps.names, name)
	temps.Unlock()
}
