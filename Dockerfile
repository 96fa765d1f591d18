# boucle's servers in a small image: docker build -t boucle .
# Why node 24: Node 20 (what this project is developed and tested on) left
# maintenance in April 2026; 24 is an LTS line until April 2028, and boucle
# uses only APIs Node 20 and later share. Override with --build-arg NODE=20.
ARG NODE=24

# Stage 1: compile the TypeScript (npm ci runs `prepare`, which is `npm run build`).
FROM node:${NODE}-alpine AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY examples ./examples
RUN npm ci --no-audit --no-fund

# Stage 2: the built JavaScript and the runtime dependencies only; no
# TypeScript, no sources, no dev dependencies.
FROM node:${NODE}-alpine
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY bin ./bin
COPY --from=build /app/dist/src ./dist/src
COPY --from=build /app/dist/examples ./dist/examples

# Inside a container the server must listen on every interface to be reachable.
ENV BOUCLE_HOST=0.0.0.0 \
    BOUCLE_PORT=7777 \
    NODE_ENV=production
USER node
EXPOSE 7777 7007
CMD ["node", "bin/boucle.js", "chat-server"]
