# boucle's chat server in a small image. Build: docker build -t boucle .
FROM node:20-alpine

WORKDIR /app
COPY package.json package-lock.json ./
# Runtime dependencies only (tsx runs the TypeScript sources as they are).
RUN npm ci --omit=dev && npm cache clean --force
COPY bin ./bin
COPY src ./src
COPY examples ./examples

# Inside a container the server must listen on every interface to be reachable.
ENV BOUCLE_HOST=0.0.0.0 \
    BOUCLE_PORT=7777 \
    NODE_ENV=production
USER node
EXPOSE 7777 7007
CMD ["node", "bin/boucle.js", "chat-server"]
