package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// clockTick is the unit of CPU times in /proc (USER_HZ), the same on every
// Linux architecture Go supports.
const clockTick = 0.01

// cpuTimes is the CPU time, in seconds, the machine and its processes have
// used since boot, so that a run can tell whether other work competed with
// it for the processors.
type cpuTimes struct {
	busy, steal    float64 // the whole machine: busy (not idle or waiting for I/O) and stolen by the hypervisor
	self, postgres float64 // this process; PostgreSQL server processes
}

func readCPU() cpuTimes {
	var t cpuTimes
	if b, err := os.ReadFile("/proc/stat"); err == nil {
		line, _, _ := strings.Cut(string(b), "\n")
		f := strings.Fields(line) // cpu user nice system idle iowait irq softirq steal …
		v := func(i int) float64 {
			if i >= len(f) {
				return 0
			}
			n, _ := strconv.ParseFloat(f[i], 64)
			return n * clockTick
		}
		t.busy = v(1) + v(2) + v(3) + v(6) + v(7)
		t.steal = v(8)
	}
	t.self = procCPU("/proc/self/stat")
	paths, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil && strings.Contains(string(b), "(postgres)") {
			t.postgres += procCPU(p)
		}
	}
	return t
}

// procCPU reads a process's user and system time from its stat file.
func procCPU(path string) float64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	// The command name, in parentheses, may hold spaces: count fields
	// after its closing parenthesis. utime and stime are fields 14 and 15.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (u + st) * clockTick
}

func (t cpuTimes) sub(u cpuTimes) cpuTimes {
	return cpuTimes{busy: t.busy - u.busy, steal: t.steal - u.steal, self: t.self - u.self, postgres: t.postgres - u.postgres}
}
