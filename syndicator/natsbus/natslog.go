package natsbus

import (
	"fmt"
	"sync"

	"github.com/rs/zerolog"
)

// serverLog passes the embedded nats-server's own messages to zerolog, so
// a failure is logged with the server's reason instead of surfacing later
// as a client timeout. Errors and warnings keep their levels; notices (the
// banner, every start and stop) go to debug so that normal runs stay
// quiet; traces are never enabled, as they carry message payloads. A fatal
// message ends the server's start: it is kept for Start to return, and
// the process is not exited as nats-server's own logger would.
type serverLog struct {
	log zerolog.Logger
	// nudge asks the storage watcher to look at once: write failures are
	// logged as errors or warnings by the server before anything else
	// shows them.
	nudge chan<- struct{}

	mu    sync.Mutex
	fatal string
}

func newServerLog(log zerolog.Logger, nudge chan<- struct{}) *serverLog {
	return &serverLog{log: log.With().Str("component", "nats-server").Logger(), nudge: nudge}
}

func (l *serverLog) Noticef(format string, v ...any) { l.log.Debug().Msgf(format, v...) }
func (l *serverLog) Debugf(format string, v ...any)  { l.log.Debug().Msgf(format, v...) }
func (l *serverLog) Tracef(string, ...any)           {}

func (l *serverLog) Warnf(format string, v ...any) {
	l.log.Warn().Msgf(format, v...)
	l.poke()
}

func (l *serverLog) Errorf(format string, v ...any) {
	l.log.Error().Msgf(format, v...)
	l.poke()
}

func (l *serverLog) Fatalf(format string, v ...any) {
	msg := fmt.Sprintf(format, v...)
	l.log.Error().Bool("fatal", true).Msg(msg)
	l.mu.Lock()
	if l.fatal == "" {
		l.fatal = msg
	}
	l.mu.Unlock()
	l.poke()
}

// fatalMessage is the first fatal message the server logged, or "".
func (l *serverLog) fatalMessage() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.fatal
}

func (l *serverLog) poke() {
	if l.nudge == nil {
		return
	}
	select {
	case l.nudge <- struct{}{}:
	default: // a look is already due
	}
}
