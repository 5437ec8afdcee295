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

// readCPU reads the CPU times; postmaster, when not 0, is the process id of
// the PostgreSQL server, whose processes are counted as PostgreSQL (when 0,
// every process named postgres is).
func readCPU(postmaster int) cpuTimes {
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
		b, err := os.ReadFile(p)
		if err != nil || !strings.Contains(string(b), "(postgres)") {
			continue
		}
		pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(p)))
		switch {
		case pid == postmaster:
			// The server's own time and that of the backends it has
			// reaped: connections that closed during the run.
			t.postgres += procCPU(p) + childrenCPU(p)
		case postmaster == 0 || parentOf(string(b)) == postmaster:
			t.postgres += procCPU(p)
		}
	}
	return t
}

// parentOf returns the parent process id from the text of a stat file.
func parentOf(stat string) int {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(stat[i+1:])
	if len(f) < 2 {
		return 0
	}
	n, _ := strconv.Atoi(f[1])
	return n
}

// procCPU reads a process's user and system time (fields 14 and 15) from
// its stat file; childrenCPU the time of its children that have exited and
// been waited for (fields 16 and 17).
func procCPU(path string) float64 { return statTimes(path, 11) }

func childrenCPU(path string) float64 { return statTimes(path, 13) }

func statTimes(path string, at int) float64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	// The command name, in parentheses, may hold spaces: count fields
	// after its closing parenthesis (field 3 onwards).
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(s[i+1:])
	if len(f) < at+2 {
		return 0
	}
	u, _ := strconv.ParseFloat(f[at], 64)
	st, _ := strconv.ParseFloat(f[at+1], 64)
	return (u + st) * clockTick
}

func (t cpuTimes) sub(u cpuTimes) cpuTimes {
	return cpuTimes{busy: t.busy - u.busy, steal: t.steal - u.steal, self: t.self - u.self, postgres: t.postgres - u.postgres}
}
