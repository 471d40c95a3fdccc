module github.com/gyeco/syndicator

go 1.26.8
