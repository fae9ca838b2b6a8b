//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package main

import "time"

// cpuTime returns -1: this platform's process CPU time is not read here.
func cpuTime() time.Duration { return -1 }
