.PHONY: test dev build

# Everything: vet, race tests on kfake, integration tests on Apache Kafka.
test:
	bash deploy/test-all.sh

# Veil on an embedded broker with sample data.
dev:
	go run ./cmd/veil dev

build:
	go build -o bin/veil ./cmd/veil
