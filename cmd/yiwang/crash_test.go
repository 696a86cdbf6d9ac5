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
	bin := filepath.Join(t.TempDir(), "yiwang")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		t.Fatalf("build: %v", err)
	}
	data := t.TempDir()
	const password = "Crash-Test-Passw0rd"

	start := func() (*exec.Cmd, string) {
		cmd := exec.Command(bin, "serve", "--demo", "--data", data, "--addr", "127.0.0.1:0", "--log-level", "error")
		cmd.Env = append(os.Environ(), "YIWANG_DEMO_PASSWORD="+password)
		out, _ := cmd.StdoutPipe()
		cmd.Stderr = io.Discard
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
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
	login := func(base string) string {
		body, _ := json.Marshal(map[string]string{"username": "donghai.intake_operator", "password": password})
		resp, err := http.Post(base+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var r struct{ Token string }
		json.NewDecoder(resp.Body).Decode(&r)
		if r.Token == "" {
			t.Fatalf("login: %d", resp.StatusCode)
		}
		return r.Token
	}

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
				body, _ := json.Marshal(map[string]any{"channel": "hotline_12345", "lat": 24.925, "lng": 118.575,
					"description": fmt.Sprintf("崩溃测试 %d-%d", w, i)})
				req, _ := http.NewRequest("POST", base+"/api/v1/cases", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+token)
				resp, err := client.Do(req)
				if err != nil {
					return // the server is gone
				}
				var c struct{ ID string }
				json.NewDecoder(resp.Body).Decode(&c)
				resp.Body.Close()
				if resp.StatusCode == 201 {
					mu.Lock()
					acked = append(acked, c.ID)
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
