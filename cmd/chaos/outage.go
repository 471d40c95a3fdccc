package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// outage is what happened while a part of the deployment was down: what
// serve's /readyz said meanwhile and how soon it was ready again.
type outage struct {
	What string  `json:"what"`
	Down float64 `json:"down_s"`
	// Readyz is the first failing check /readyz named while it was down
	// ("" if it never failed).
	Readyz string `json:"readyz"`
	// ReadyAgain is the time from the restart to /readyz answering 200
	// (-1: not within a minute).
	ReadyAgain float64 `json:"ready_again_s"`
}

func (x outage) ok() bool { return x.Readyz != "" && x.ReadyAgain >= 0 }

func (x outage) problem() string {
	if x.Readyz == "" {
		return fmt.Sprintf("%s down %.0f s: /readyz never said so", x.What, x.Down)
	}
	return fmt.Sprintf("%s down %.0f s: /readyz not ready again within a minute of the restart", x.What, x.Down)
}

// outage kills procs, keeps them down for d while govsim keeps
// publishing, watching /readyz, then starts them again.
func (dep *deployment) outage(ctx context.Context, log io.Writer, what string, d time.Duration, procs []*proc) outage {
	x := outage{What: what, Down: secs(d), ReadyAgain: -1}
	say(log, "outage: %s down for %s", what, d)
	for _, p := range procs {
		p.Kill()
	}
	end := time.Now().Add(d)
	for time.Now().Before(end) && ctx.Err() == nil {
		if ok, why := dep.ready(ctx); !ok && x.Readyz == "" {
			x.Readyz = why
			say(log, "outage: /readyz says %s", why)
		}
		sleep(ctx, time.Second)
	}
	restarted := time.Now()
	for _, p := range procs {
		if err := dep.restart(ctx, p); err != nil {
			say(log, "outage: %s: %v", p.Name, err)
		}
	}
	for time.Since(restarted) < time.Minute && ctx.Err() == nil {
		if ok, _ := dep.ready(ctx); ok {
			x.ReadyAgain = secs(time.Since(restarted))
			break
		}
		sleep(ctx, 250*time.Millisecond)
	}
	say(log, "outage: %s back; /readyz ready after %.1f s", what, x.ReadyAgain)
	return x
}

// ready asks serve's /readyz (with the operator token, which gets the
// checks) and names the failing checks.
func (dep *deployment) ready(ctx context.Context) (bool, string) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, dep.serve+"/readyz", nil)
	req.Header.Set("Authorization", "Bearer "+dep.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false, "serve unreachable: " + err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode == http.StatusOK {
		return true, ""
	}
	var r struct {
		Checks []struct {
			Name, Reason string
			OK           bool
		}
	}
	if json.Unmarshal(body, &r) != nil {
		return false, fmt.Sprintf("%d %s", resp.StatusCode, strings.TrimSpace(string(body)))
	}
	var failing []string
	for _, c := range r.Checks {
		if !c.OK {
			failing = append(failing, c.Name+": "+c.Reason)
		}
	}
	return false, fmt.Sprintf("%d %s", resp.StatusCode, strings.Join(failing, "; "))
}
