//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package main

import "os"

// tryLock cannot lock here: the data_dir lock is only enforced where
// flock(2) exists, and one writer per data_dir is up to the operator.
func tryLock(*os.File) error { return nil }
