package readmodel

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// batch is one Apply: its transaction, its statements prepared once, and
// the items it has read, written back once at the end however many of
// their events it holds (a replay brings four or five per item).
type batch struct {
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
	rows  map[string]*Row
	dirty []*Row
}

func newBatch(tx *sql.Tx) *batch {
	return &batch{tx: tx, stmts: map[string]*sql.Stmt{}, rows: map[string]*Row{}}
}

func (b *batch) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st := b.stmts[query]; st != nil {
		return st, nil
	}
	st, err := b.tx.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	b.stmts[query] = st
	return st, nil
}

func (b *batch) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := b.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// errRow is a *sql.Row stand-in for a statement that failed to prepare.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

func (b *batch) queryRow(ctx context.Context, query string, args ...any) scanner {
	st, err := b.stmt(ctx, query)
	if err != nil {
		return errRow{err}
	}
	return st.QueryRowContext(ctx, args...)
}

// row is item id, read once per batch; a missing item is a new Row.
func (b *batch) row(ctx context.Context, id string) (*Row, error) {
	if r := b.rows[id]; r != nil {
		return r, nil
	}
	r, err := loadRow(ctx, b, id)
	if err != nil {
		return nil, err
	}
	b.rows[id] = r
	return r, nil
}

// touch marks r to be written at the end of the batch.
func (b *batch) touch(r *Row) {
	if !r.dirty {
		r.dirty = true
		b.dirty = append(b.dirty, r)
	}
}

// flush writes the touched items.
func (b *batch) flush(ctx context.Context) error {
	for _, r := range b.dirty {
		if err := r.save(ctx, b); err != nil {
			return err
		}
		r.dirty = false
	}
	b.dirty = b.dirty[:0]
	return nil
}

func (b *batch) close() {
	for _, st := range b.stmts {
		st.Close()
	}
}

// The items table's statements, built once from its column list.
var (
	itemColumns      = strings.TrimPrefix(columns, "rid, ")
	qualifiedColumns = "items." + strings.Join(strings.Split(strings.Join(strings.Fields(columns), " "), ", "), ", items.")
	insertItem       = "INSERT INTO items (" + itemColumns + ") VALUES (" + placeholders(strings.Count(itemColumns, ",")+1) + ")"
	updateItem       = func() string {
		set := strings.Split(itemColumns, ",")
		for i := range set {
			set[i] = strings.TrimSpace(set[i]) + " = ?"
		}
		return fmt.Sprintf("UPDATE items SET %s WHERE rid = ?", strings.Join(set, ", "))
	}()
)
