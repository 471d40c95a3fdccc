// Command pipe holds the tools of bench/run's pipeline and latency
// sections:
//
//	pipe wait   --nats URL --filter SUBJECT --count N [--timeout 10m]
//	pipe stats  --nats URL --source ID [--sink site]
//	pipe s3put  --endpoint H:P --access K --secret S --dir DIR [--count N]
//	pipe jspub  --nats URL [--count N] [--size BYTES]
//
// wait returns once N messages match SUBJECT; stats reads the discovered
// and published events of a source and prints items/s and the
// discovered→published latency; s3put and jspub are the raw MinIO PUT and
// JetStream publish tests the pipeline is compared with.
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "wait":
		err = wait(os.Args[2:])
	case "stats":
		err = stats(os.Args[2:])
	case "s3put":
		err = s3put(os.Args[2:])
	case "jspub":
		err = jspub(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "pipe:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "用法：pipe wait|stats|s3put|jspub [参数]（见源码注释）")
	os.Exit(2)
}
