RUN echo there is no FROM here
