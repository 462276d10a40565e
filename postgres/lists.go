package postgres

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5"
)

// PutList keeps a list file under sum, the SHA-256 of its content, and
// returns once it is committed. A file kept already stays as it is.
func (s *Store) PutList(sum string, data []byte) error {
	return s.query(func(conn *pgx.Conn) error {
		_, err := conn.Exec(context.Background(), "INSERT INTO list_files (sha256, data) VALUES ($1, $2) ON CONFLICT (sha256) DO NOTHING", sum, data)
		if err != nil {
			return fmt.Errorf("postgres: keep list file %s: %w", sum, err)
		}
		return nil
	})
}

// GetList returns the list file kept under sum; an error that wraps
// fs.ErrNotExist if there is none.
func (s *Store) GetList(sum string) ([]byte, error) {
	var data []byte
	err := s.query(func(conn *pgx.Conn) error {
		return conn.QueryRow(context.Background(), "SELECT data FROM list_files WHERE sha256 = $1", sum).Scan(&data)
	})
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil, fmt.Errorf("postgres: list file %s: %w", sum, fs.ErrNotExist)
	case err != nil:
		return nil, fmt.Errorf("postgres: read list file %s: %w", sum, err)
	}
	return data, nil
}
