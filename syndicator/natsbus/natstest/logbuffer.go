package natstest

import (
	"bytes"
	"encoding/json"
	"strings"
	"sync"
)

// LogBuffer collects log lines written from several goroutines (a zerolog
// writer), for a test to read while the code under test writes.
type LogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// Records are the JSON log records with the given level.
func (l *LogBuffer) Records(level string) []map[string]any {
	var out []map[string]any
	for _, line := range strings.Split(l.String(), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) == nil && rec["level"] == level {
			out = append(out, rec)
		}
	}
	return out
}

// Count is how many records have the level and message.
func (l *LogBuffer) Count(level, msg string) int {
	n := 0
	for _, rec := range l.Records(level) {
		if rec["message"] == msg {
			n++
		}
	}
	return n
}
