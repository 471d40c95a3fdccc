package ledger

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzVerify: arbitrary bytes never panic and fail with a *VerifyError;
// a valid export always verifies; any single-byte change inside an entry
// line makes it fail.
func FuzzVerify(f *testing.F) {
	valid := export(f, chain(f, 5))
	f.Add([]byte{}, uint(0), byte(0))
	f.Add(valid, uint(100), byte('x'))
	f.Add(valid, uint(3), byte('S'))
	f.Add([]byte(`{"type":"end","count":0,"first_seq":0,"last_seq":0,"head":""}`+"\n"), uint(0), byte(1))
	f.Add([]byte("{\"seq\":1}\n\n\r\n"), uint(5), byte('\n'))
	f.Fuzz(func(t *testing.T, data []byte, pos uint, b byte) {
		if _, err := Verify(bytes.NewReader(data), VerifyOptions{}); err != nil {
			var ve *VerifyError
			if !errors.As(err, &ve) {
				t.Fatalf("error %T %v is not a *VerifyError", err, err)
			}
		}

		if _, err := Verify(bytes.NewReader(valid), VerifyOptions{}); err != nil {
			t.Fatalf("valid export failed: %v", err)
		}
		end := bytes.LastIndexByte(valid[:len(valid)-1], '\n') // entries end here, the trailer follows
		i := int(pos % uint(end))
		if valid[i] == '\n' || valid[i] == b {
			return
		}
		edited := bytes.Clone(valid)
		edited[i] = b
		if _, err := Verify(bytes.NewReader(edited), VerifyOptions{}); err == nil {
			t.Fatalf("byte %d changed from %q to %q and the export still verifies", i, valid[i], b)
		}
	})
}
