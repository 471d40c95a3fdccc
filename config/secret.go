package config

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"gopkg.in/yaml.v3"
)

// Secret is a value that may be given as ${ENV_NAME} or file:/path and is
// never printed: String and MarshalYAML/JSON show "***" when set. In a
// configuration file a relative file:path names a file beside that file
// (Parse rewrites it before decoding, paths.go); decoded on its own, a
// Secret reads a relative path from the current directory.
type Secret struct {
	value string
	from  string // where it came from, safe to show
}

// NewSecret wraps a literal value (for tests and defaults).
func NewSecret(v string) Secret { return Secret{value: v, from: "literal"} }

// Value returns the secret itself, for the one place that needs it.
func (s Secret) Value() string { return s.value }

// IsSet reports whether a value was given.
func (s Secret) IsSet() bool { return s.value != "" }

func (s Secret) String() string {
	if s.value == "" {
		return ""
	}
	return "***"
}

// MarshalJSON never reveals the value.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(fmt.Sprintf("%q", s.String())), nil }

// UnmarshalYAML resolves ${ENV} and file:/path forms.
func (s *Secret) UnmarshalYAML(n *yaml.Node) error {
	var raw string
	if err := n.Decode(&raw); err != nil {
		return err
	}
	v, from, err := resolveSecret(raw)
	if err != nil {
		return err
	}
	*s = Secret{value: v, from: from}
	return nil
}

func resolveSecret(raw string) (value, from string, err error) {
	switch {
	case strings.HasPrefix(raw, "${") && strings.HasSuffix(raw, "}"):
		name := raw[2 : len(raw)-1]
		v, ok := os.LookupEnv(name)
		if !ok {
			return "", "", fmt.Errorf("环境变量 %s 未设置：请先设置它（export %s=…），或改用 file:路径", name, name)
		}
		return v, "env " + name, nil
	case strings.HasPrefix(raw, secretFilePrefix):
		path := strings.TrimPrefix(raw, secretFilePrefix)
		b, err := readSecretFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			return "", "", fmt.Errorf("密钥文件 %s 不存在（相对路径从配置文件所在目录算起）", path)
		} else if err != nil {
			return "", "", fmt.Errorf("读取密钥文件失败：%w", err)
		}
		return strings.TrimRight(string(b), "\r\n"), "file " + path, nil
	}
	return raw, "literal", nil
}

// maxSecretBytes bounds a secret file: a token or key is a few dozen
// bytes, and file:/dev/zero must not read for ever.
const maxSecretBytes = 64 << 10

func readSecretFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxSecretBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxSecretBytes {
		return nil, fmt.Errorf("%s: 超过 %d 字节（64 KiB），不像是一个密钥文件", path, maxSecretBytes)
	}
	return b, nil
}

// Origin says where the value came from ("literal", "env NAME", "file
// PATH"), never the value: the console shows it beside the redacted value.
func (s Secret) Origin() string { return s.from }
