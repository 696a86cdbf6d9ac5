package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestKillDuringIntakeLosesNoAcknowledgedCase builds the real binary, loads it with concurrent
// reports, kills it with SIGKILL mid-load, restarts it on the same data directory and checks
// that every case whose creation was acknowledged (201) is there, with its report event, and
// that the audit chain is intact.
func TestKillDuringIntakeLosesNoAcknowledgedCase(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildYiwang(t)
	data := t.TempDir()
	const password = "Crash-Test-Passw0rd"

	start := func() (*exec.Cmd, string) {
		return startYiwang(t, bin, []string{"YIWANG_DEMO_PASSWORD=" + password}, "--demo", "--demo-history", "0", "--data", data)
	}
	login := func(base string) string { return loginAs(t, base, "donghai.intake_operator", password) }

	cmd, base := start()
	token := login(base)
	var mu sync.Mutex
	var acked []string
	enough := make(chan struct{})
	var once sync.Once
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 10 * time.Second}
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				id, status, err := reportCase(client, base, token, 24.925, 118.575, fmt.Sprintf("崩溃测试 %d-%d", w, i))
				if err != nil {
					return // the server is gone
				}
				if status == 201 {
					mu.Lock()
					acked = append(acked, id)
					if len(acked) >= 400 {
						once.Do(func() { close(enough) })
					}
					mu.Unlock()
				}
			}
		}(w)
	}
	<-enough
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	wg.Wait()
	mu.Lock()
	ids := append([]string(nil), acked...)
	mu.Unlock()

	cmd, base = start()
	token = login(base)
	for _, id := range ids {
		req, _ := http.NewRequest("GET", base+"/api/v1/cases/"+id+"/events", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var ev struct{ Events []struct{ Action string } }
		json.NewDecoder(resp.Body).Decode(&ev)
		resp.Body.Close()
		if resp.StatusCode != 200 || len(ev.Events) == 0 || ev.Events[0].Action != "report" {
			cmd.Process.Kill()
			t.Fatalf("acknowledged case %s lost after kill -9: %d %+v", id, resp.StatusCode, ev)
		}
	}
	t.Logf("%d acknowledged cases all present after kill -9", len(ids))
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()
	out, err := exec.Command(bin, "audit", "verify", "--data", data).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "intact") {
		t.Fatalf("audit chain after crash: %v %s", err, out)
	}
}

// buildYiwang builds the yiwang binary into a temporary directory and returns its path.
func buildYiwang(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "yiwang")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		t.Fatalf("build: %v", err)
	}
	return bin
}

// startYiwang runs `yiwang serve` on a free loopback port with the given extra environment and
// flags, and returns the process once it listens, with its base URL. The process is killed when
// the test ends if it still runs.
func startYiwang(t *testing.T, bin string, env []string, flags ...string) (*exec.Cmd, string) {
	t.Helper()
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--log-level", "error"}, flags...)
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	out, _ := cmd.StdoutPipe()
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		if i := strings.Index(lines.Text(), "http://"); i >= 0 {
			go io.Copy(io.Discard, out)
			return cmd, strings.TrimSuffix(lines.Text()[i:], "/")
		}
	}
	t.Fatal("server did not start")
	return nil, ""
}

// loginAs signs username in on the server at base and returns the bearer token.
func loginAs(t *testing.T, base, username, password string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"username": username, "password": password})
	resp, err := http.Post(base+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r struct{ Token string }
	json.NewDecoder(resp.Body).Decode(&r)
	if r.Token == "" {
		t.Fatalf("login as %s: %d", username, resp.StatusCode)
	}
	return r.Token
}

// reportCase reports a hotline case at a point through the API and returns its id and the
// response status; err is set when no response came (the server is gone).
func reportCase(client *http.Client, base, token string, lat, lng float64, description string) (string, int, error) {
	body, _ := json.Marshal(map[string]any{"channel": "hotline_12345", "lat": lat, "lng": lng, "description": description})
	req, _ := http.NewRequest("POST", base+"/api/v1/cases", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		return "", 0, err
	}
	defer resp.Body.Close()
	var c struct{ ID string }
	json.NewDecoder(resp.Body).Decode(&c)
	return c.ID, resp.StatusCode, nil
}
