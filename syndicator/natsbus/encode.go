package natsbus

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/gyeco/syndicator/syndicator"
)

// storedClaim is an object to store in the claim-check store before the event
// that names it is published.
type storedClaim struct {
	name string
	data []byte
}

// encodeEvent is ev as published, and the claims it names (DESIGN §5).
// An item's body over bodyLimit bytes (body_html + body_text) leaves the
// event for a body claim: it is most of a gov.cn item (~60 KB), the same
// on every event of a revision, and read only by the sinks that render,
// send or archive it, while every reader of the stream (the ledger, the
// sweeper, the read model, each consumer's handler) decodes each event.
// An event still over inlineLimit carries its item by item claim.
// The body claim names the event's item and revision, and is the same
// bytes each time, so the events of one revision share it.
func encodeEvent(ev *syndicator.Event, bodyLimit, inlineLimit int) ([]byte, []storedClaim, error) {
	wire := *ev
	var claims []storedClaim
	if it := ev.Item; it != nil && len(it.BodyHTML)+len(it.BodyText) > bodyLimit {
		body := encodeBody(it)
		sum := sha256.Sum256(body)
		wire.BodyRef = syndicator.BodyRefName(ev.ID, ev.Revision, hex.EncodeToString(sum[:]))
		slim := *it
		slim.BodyHTML, slim.BodyText = "", ""
		wire.Item = &slim
		claims = append(claims, storedClaim{wire.BodyRef, body})
	}
	data, err := json.Marshal(&wire)
	if err != nil {
		return nil, nil, fmt.Errorf("encode %s event for %s: %w", ev.Kind, ev.ID, err)
	}
	if len(data) <= inlineLimit || wire.Item == nil {
		return data, claims, nil
	}
	name, item, err := itemClaim(wire.Item)
	if err != nil {
		return nil, nil, err
	}
	wire.Item, wire.ItemRef = nil, name
	if data, err = json.Marshal(&wire); err != nil {
		return nil, nil, fmt.Errorf("encode %s event for %s: %w", ev.Kind, ev.ID, err)
	}
	return data, append(claims, storedClaim{name, item}), nil
}

// encodeBody is the body claim of it: the length of body_html in decimal
// bytes and a newline, then body_html, then body_text. Not JSON: each sink
// that needs the body reads it, and decoding a 100 KB JSON string costs
// about a millisecond, slicing this a copy.
func encodeBody(it *syndicator.Item) []byte {
	buf := make([]byte, 0, len(it.BodyHTML)+len(it.BodyText)+12)
	buf = strconv.AppendInt(buf, int64(len(it.BodyHTML)), 10)
	buf = append(buf, '\n')
	buf = append(buf, it.BodyHTML...)
	return append(buf, it.BodyText...)
}

// decodeBody is the body_html and body_text of a body claim.
func decodeBody(data []byte) (html, text string, err error) {
	i := bytes.IndexByte(data, '\n')
	if i < 1 || i > 10 {
		return "", "", errors.New("body claim without its length line")
	}
	n, err := strconv.Atoi(string(data[:i]))
	rest := data[i+1:]
	if err != nil || n < 0 || n > len(rest) {
		return "", "", fmt.Errorf("body claim gives body_html %q bytes of %d", data[:i], len(rest))
	}
	return string(rest[:n]), string(rest[n:]), nil
}

// itemClaim is the item claim of it: its JSON under its content address
// (syndicator.ItemRefName).
func itemClaim(it *syndicator.Item) (name string, data []byte, err error) {
	if data, err = json.Marshal(it); err != nil {
		return "", nil, fmt.Errorf("encode item %s: %w", it.ID, err)
	}
	sum := sha256.Sum256(data)
	return syndicator.ItemRefName(hex.EncodeToString(sum[:])), data, nil
}
