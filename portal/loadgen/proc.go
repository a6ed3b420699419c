package loadgen

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// memory reads VmRSS and VmHWM (kB) of a process from /proc.
func memory(pid int) (rssKB, hwmKB int, err error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 {
			continue
		}
		switch fields[0] {
		case "VmRSS:":
			rssKB, _ = strconv.Atoi(fields[1])
		case "VmHWM:":
			hwmKB, _ = strconv.Atoi(fields[1])
		}
	}
	return rssKB, hwmKB, sc.Err()
}

// PIDListening finds the process listening on a TCP port of this machine
// through /proc (the socket's inode, then the process holding it); 0 when
// it cannot be seen (another user's process, another machine).
func PIDListening(port int) int {
	inodes := map[string]bool{}
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		b, err := os.ReadFile(table)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n")[1:] {
			f := strings.Fields(line)
			if len(f) < 10 || f[3] != "0A" { // 0A: LISTEN
				continue
			}
			i := strings.LastIndexByte(f[1], ':')
			if p, err := strconv.ParseInt(f[1][i+1:], 16, 32); err == nil && int(p) == port {
				inodes["socket:["+f[9]+"]"] = true
			}
		}
	}
	if len(inodes) == 0 {
		return 0
	}
	procs, _ := filepath.Glob("/proc/[0-9]*")
	for _, dir := range procs {
		fds, _ := os.ReadDir(filepath.Join(dir, "fd"))
		for _, fd := range fds {
			if l, err := os.Readlink(filepath.Join(dir, "fd", fd.Name())); err == nil && inodes[l] {
				pid, _ := strconv.Atoi(filepath.Base(dir))
				return pid
			}
		}
	}
	return 0
}

// goroutines reads go_goroutines from a Prometheus text endpoint.
func goroutines(ctx context.Context, client *http.Client, url string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("metrics: %s", resp.Status)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if v, found := strings.CutPrefix(sc.Text(), "go_goroutines "); found {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return int(f), err
		}
	}
	return 0, fmt.Errorf("metrics: no go_goroutines")
}

// watcher samples the portal's memory and goroutines every interval.
type watcher struct {
	pid        int
	metricsURL string
	client     *http.Client
	mu         sync.Mutex
	srv        Server
	stop       chan struct{}
	done       chan struct{}
}

func startWatcher(pid int, metricsURL string, every time.Duration) *watcher {
	w := &watcher{pid: pid, metricsURL: metricsURL, client: &http.Client{Timeout: 5 * time.Second},
		stop: make(chan struct{}), done: make(chan struct{})}
	w.srv.PID = pid
	if pid == 0 {
		w.srv.Notes = append(w.srv.Notes, "portal process not found: give -pid to see its memory")
	}
	w.sample(true)
	go func() {
		defer close(w.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-w.stop:
				w.sample(false)
				return
			case <-t.C:
				w.sample(false)
			}
		}
	}()
	return w
}

func (w *watcher) sample(first bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.pid > 0 {
		if rss, hwm, err := memory(w.pid); err == nil {
			mib := float64(rss) / 1024
			if first {
				w.srv.StartRSSMiB = mib
			}
			w.srv.EndRSSMiB = mib
			w.srv.PeakRSSMiB = max(w.srv.PeakRSSMiB, mib)
			w.srv.HWMMiB = float64(hwm) / 1024
		}
	}
	if w.metricsURL != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		n, err := goroutines(ctx, w.client, w.metricsURL)
		cancel()
		if err != nil {
			if first {
				w.srv.Notes = append(w.srv.Notes, "goroutines not read: "+err.Error())
				w.metricsURL = ""
			}
			return
		}
		if first {
			w.srv.GoroutinesStart = n
		}
		w.srv.GoroutinesEnd = n
		w.srv.GoroutinesPeak = max(w.srv.GoroutinesPeak, n)
	}
}

// finish takes a last sample once the portal has had settle to wind down
// (goroutines back to baseline) and returns what was seen.
func (w *watcher) finish(settle time.Duration) Server {
	time.Sleep(settle)
	close(w.stop)
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.srv
}
