package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"
)

// Log formats (log.format, VEIL_LOG_FORMAT, --log-format).
const (
	logAuto = "auto" // text on a terminal, JSON otherwise
	logText = "text"
	logJSON = "json"
)

func parseLogFormat(s string) (string, error) {
	switch s {
	case "", logAuto:
		return logAuto, nil
	case logText, logJSON:
		return s, nil
	}
	return "", fmt.Errorf("log.format: unknown %q (want auto, text or json)", s)
}

// newLogger returns the logger configured by c, writing to w: text when w is
// a terminal (or log.format is text), JSON otherwise, durations as "1.5s".
func newLogger(c config, w io.Writer) *slog.Logger {
	l, _ := parseLevel(c.Log.Level)
	f, _ := parseLogFormat(c.Log.Format)
	return slog.New(logHandler(w, f, l))
}

func logHandler(w io.Writer, format string, level slog.Level) slog.Handler {
	opts := &slog.HandlerOptions{Level: level, ReplaceAttr: humanDuration}
	if format == logText || format == logAuto && isTerminal(w) {
		return slog.NewTextHandler(w, opts)
	}
	return slog.NewJSONHandler(w, opts)
}

// humanDuration writes durations as Go duration strings rather than
// nanoseconds.
func humanDuration(_ []string, a slog.Attr) slog.Attr {
	if a.Value.Kind() == slog.KindDuration {
		return slog.String(a.Key, a.Value.Duration().Round(time.Microsecond).String())
	}
	return a
}

// isTerminal reports whether w is a character device other than /dev/null:
// a terminal, for all Veil's purposes.
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	if !ok || f == nil {
		return false
	}
	fi, err := f.Stat()
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return false
	}
	null, err := os.Stat(os.DevNull)
	return err != nil || !os.SameFile(fi, null)
}
