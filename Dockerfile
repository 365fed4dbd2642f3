# Insyn's image for docker-compose.yml. NOT EXERCISED: no Docker engine runs where Insyn
# is developed; treat it as a starting point.
FROM python:3.11-slim
RUN apt-get update && apt-get install -y --no-install-recommends \
        postgresql-client libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir '.[postgres,mysql,elasticsearch]'
USER nobody
EXPOSE 8080
CMD ["insyn", "serve", "--host", "0.0.0.0", "--port", "8080"]
