// SPDX-License-Identifier: Apache-2.0
//
// The parser-differential oracle: decodes an OCI document exactly as runc does and prints
// what runc would see, as json.Marshal renders it. runc 1.1 reads config.json with
// json.NewDecoder(f).Decode(&spec) into a *specs.Spec (first value only, trailing bytes
// ignored, null refused as "config cannot be null"); exec --process and update --resources
// decode the same way into specs.Process and specs.LinuxResources.
//
//	oracle [-kind spec|process|resources|state] [-unmarshal] FILE   ("-" = stdin)
//	oracle -schema spec|process|resources|state
//
// Exit 0 with the marshaled document on stdout, 1 with "oracle: <error>" on stderr.
// -unmarshal uses json.Unmarshal (refuses trailing data) instead of the Decoder.
// -schema dumps the Go types as the tree hardshim's schema tables must transcribe
// (tests/oracle/spec-schema.txt), one line per node: PATH KIND [MIN MAX].
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"reflect"
	"sort"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func target(kind string) (interface{}, error) {
	switch kind {
	case "spec":
		return new(*specs.Spec), nil
	case "process":
		return new(*specs.Process), nil
	case "resources":
		return new(*specs.LinuxResources), nil
	case "state":
		return new(*specs.State), nil
	}
	return nil, fmt.Errorf("unknown kind %q", kind)
}

func decode(kind string, data []byte, unmarshal bool) ([]byte, error) {
	ptr, err := target(kind)
	if err != nil {
		return nil, err
	}
	if unmarshal {
		err = json.Unmarshal(data, ptr)
	} else {
		err = json.NewDecoder(bytes.NewReader(data)).Decode(ptr)
	}
	if err != nil {
		return nil, err
	}
	v := reflect.ValueOf(ptr).Elem()
	if v.IsNil() {
		return nil, errors.New(kind + " cannot be null")
	}
	return json.Marshal(v.Interface())
}

func leaf(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Bool:
		return "bool"
	case reflect.String:
		return "string"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		bits := t.Bits()
		return fmt.Sprintf("int %d %d", -(int64(1) << (bits - 1)), int64(uint64(1)<<(bits-1)-1))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		bits := t.Bits()
		return fmt.Sprintf("uint 0 %d", uint64(1<<(bits-1))*2-1)
	case reflect.Interface:
		return "any"
	}
	return ""
}

// fields lists a struct's JSON members as encoding/json sees them: untagged embedded structs
// are promoted, "-" is skipped, the tag's name (or the Go name) is the key.
func fields(t reflect.Type) []reflect.StructField {
	var out []reflect.StructField
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if f.Anonymous && tag == "" && f.Type.Kind() == reflect.Struct {
			out = append(out, fields(f.Type)...)
			continue
		}
		if !f.IsExported() || tag == "-" {
			continue
		}
		name := strings.Split(tag, ",")[0]
		if name == "" {
			name = f.Name
		}
		f.Name = name
		out = append(out, f)
	}
	return out
}

func dump(path string, t reflect.Type, lines *[]string) {
	for t.Kind() == reflect.Ptr {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		*lines = append(*lines, path+" struct")
		for _, f := range fields(t) {
			dump(path+"."+f.Name, f.Type, lines)
		}
	case reflect.Slice:
		*lines = append(*lines, path+" array")
		dump(path+"[]", t.Elem(), lines)
	case reflect.Map:
		*lines = append(*lines, path+" map")
		dump(path+"{}", t.Elem(), lines)
	default:
		l := leaf(t)
		if l == "" {
			panic("no JSON shape for " + t.String())
		}
		*lines = append(*lines, path+" "+l)
	}
}

func main() {
	kind := flag.String("kind", "spec", "document: spec, process, resources, state")
	unmarshal := flag.Bool("unmarshal", false, "json.Unmarshal instead of runc's Decoder")
	schema := flag.String("schema", "", "dump the Go type tree of a document kind")
	flag.Parse()

	if *schema != "" {
		ptr, err := target(*schema)
		if err != nil {
			fmt.Fprintln(os.Stderr, "oracle:", err)
			os.Exit(2)
		}
		var lines []string
		dump("$", reflect.TypeOf(ptr).Elem(), &lines)
		sort.Strings(lines)
		fmt.Println(strings.Join(lines, "\n"))
		return
	}
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: oracle [-kind K] [-unmarshal] FILE | oracle -schema K")
		os.Exit(2)
	}
	var data []byte
	var err error
	if flag.Arg(0) == "-" {
		data, err = io.ReadAll(os.Stdin)
	} else {
		data, err = os.ReadFile(flag.Arg(0))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "oracle:", err)
		os.Exit(2)
	}
	out, err := decode(*kind, data, *unmarshal)
	if err != nil {
		fmt.Fprintln(os.Stderr, "oracle:", err)
		os.Exit(1)
	}
	os.Stdout.Write(append(out, '\n'))
}
